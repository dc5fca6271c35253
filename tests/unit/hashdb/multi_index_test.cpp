#include "multi_index.h"

#include <gtest/gtest.h>

#include <random>

#include "support/synthetic_hashes.h"

namespace hashveil::hashdb {
namespace {

using matcher::PdqHash;
using testing::NearDuplicate;
using testing::RandomPdqHash;

std::vector<NearPair> BruteForce(const std::vector<PdqHash>& hashes, int max_distance) {
  std::vector<NearPair> pairs;
  for (std::uint32_t i = 0; i < hashes.size(); ++i) {
    for (std::uint32_t j = i + 1; j < hashes.size(); ++j) {
      if (matcher::HammingDistance(hashes[i], hashes[j]) <= max_distance) pairs.push_back({i, j});
    }
  }
  return pairs;
}

// Random hashes plus near-duplicates at distances around the radius, some chained.
std::vector<PdqHash> PlantedHashes(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<PdqHash> hashes;
  for (int i = 0; i < 1500; ++i) hashes.push_back(RandomPdqHash(rng));
  for (int i = 0; i < 300; ++i) {
    const PdqHash& base = hashes[rng() % 1500];
    const int distance = std::uniform_int_distribution<int>(0, 50)(rng);
    hashes.push_back(NearDuplicate(base, distance, rng));
  }
  return hashes;
}

// The hardest case for the pigeonhole argument: one chunk differs in r bits, every other chunk
// in r + 1, for a total of exactly d.
PdqHash SpreadFlips(const PdqHash& hash, int bits_in_one_chunk, int bits_in_other_chunks) {
  PdqHash out = hash;
  for (int chunk = 0; chunk < PdqHash::kWords; ++chunk) {
    const int flips = chunk == 7 ? bits_in_one_chunk : bits_in_other_chunks;
    for (int b = 0; b < flips; ++b) out.set_bit(16 * chunk + 3 * b, !out.bit(16 * chunk + 3 * b));
  }
  return out;
}

TEST(MultiIndexTest, MatchesBruteForceOnPlantedNearDuplicates) {
  const auto hashes = PlantedHashes(7);
  for (int distance : {0, 5, 15, 16, 31, 32, 47}) {
    auto pairs = FindNearPairs(hashes, distance, 2, nullptr);
    ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
    const auto expected = BruteForce(hashes, distance);
    EXPECT_EQ(*pairs, expected) << "distance " << distance;
    if (distance >= 5) {
      EXPECT_FALSE(expected.empty());
    }
  }
}

TEST(MultiIndexTest, FindsPairsWhoseFlipsAreSpreadOverEveryChunk) {
  std::mt19937_64 rng(11);
  const PdqHash base = RandomPdqHash(rng);
  const PdqHash at_31 = SpreadFlips(base, 1, 2);  // 1 + 15 * 2 = 31
  const PdqHash at_32 = SpreadFlips(base, 2, 2);  // 32: just outside
  const PdqHash at_47 = SpreadFlips(base, 2, 3);  // 2 + 15 * 3 = 47
  ASSERT_EQ(matcher::HammingDistance(base, at_31), 31);
  ASSERT_EQ(matcher::HammingDistance(base, at_32), 32);
  ASSERT_EQ(matcher::HammingDistance(base, at_47), 47);

  const std::vector<PdqHash> hashes = {base, at_31, at_32};
  auto pairs = FindNearPairs(hashes, 31, 1, nullptr);
  ASSERT_TRUE(pairs.ok());
  EXPECT_EQ(*pairs, BruteForce(hashes, 31));
  EXPECT_EQ(*pairs, (std::vector<NearPair>{{0, 1}, {1, 2}}));  // at_31 and at_32 differ by 1

  const std::vector<PdqHash> far = {base, at_47};
  auto at_limit = FindNearPairs(far, 47, 1, nullptr);
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(*at_limit, (std::vector<NearPair>{{0, 1}}));
}

TEST(MultiIndexTest, ReportsEachPairOnceWhateverTheThreadCount) {
  const auto hashes = PlantedHashes(3);
  auto one = FindNearPairs(hashes, 31, 1, nullptr);
  auto four = FindNearPairs(hashes, 31, 4, nullptr);
  ASSERT_TRUE(one.ok());
  ASSERT_TRUE(four.ok());
  EXPECT_EQ(*one, *four);
  EXPECT_TRUE(std::adjacent_find(one->begin(), one->end()) == one->end());
}

TEST(MultiIndexTest, ReportsProgressPerChunk) {
  const auto hashes = PlantedHashes(5);
  std::vector<std::uint64_t> done;
  auto pairs = FindNearPairs(hashes, 31, 2, [&](std::uint64_t d, std::uint64_t total) {
    EXPECT_EQ(total, 16u);
    done.push_back(d);
  });
  ASSERT_TRUE(pairs.ok());
  ASSERT_EQ(done.size(), 16u);
  EXPECT_EQ(done.back(), 16u);
}

TEST(MultiIndexTest, RefusesDistancesTheIndexCannotCover) {
  const std::vector<PdqHash> hashes(2);
  EXPECT_EQ(FindNearPairs(hashes, 48, 1, nullptr).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(FindNearPairs(hashes, -1, 1, nullptr).status().code(), StatusCode::kInvalidInput);
}

TEST(MultiIndexTest, IdenticalHashesArePairs) {
  const std::vector<PdqHash> hashes(3);
  auto pairs = FindNearPairs(hashes, 0, 1, nullptr);
  ASSERT_TRUE(pairs.ok());
  EXPECT_EQ(*pairs, (std::vector<NearPair>{{0, 1}, {0, 2}, {1, 2}}));
}

}  // namespace
}  // namespace hashveil::hashdb
