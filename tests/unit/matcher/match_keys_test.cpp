#include "hashveil/matcher/match_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

namespace hashveil::matcher {
namespace {

PdqHash RandomHash(std::uint32_t seed) {
  std::mt19937 rng(seed);
  PdqHash hash;
  for (auto& w : hash.words) w = static_cast<std::uint16_t>(rng());
  return hash;
}

BitMargins RandomMargins(std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(0.0f, 100.0f);
  BitMargins margins{};
  for (float& m : margins) m = dist(rng);
  return margins;
}

// The total margin a probe flips relative to its table's base key.
double FlippedMargin(const MatchKey& base, const MatchKey& probe, const std::vector<int>& positions,
                     const BitMargins& margins) {
  double total = 0;
  for (std::size_t n = 0; n < positions.size(); ++n) {
    if (((base[1 + n / 8] ^ probe[1 + n / 8]) >> (n % 8)) & 1) total += margins[positions[n]];
  }
  return total;
}

TEST(KeySchemeTest, ValidateNamesTheBadParameter) {
  EXPECT_TRUE(KeyScheme{}.Validate().ok());
  EXPECT_TRUE((KeyScheme{.tables = 4, .bits_per_key = 256, .probes = 1024}).Validate().ok());
  const KeyScheme bad[] = {
      {.tables = 0}, {.tables = 65, .probes = 65}, {.bits_per_key = 7}, {.bits_per_key = 12},
      {.bits_per_key = 264}, {.tables = 2, .probes = 1}, {.probes = 257}, {.tables = 20, .probes = 4097}};
  for (const KeyScheme& scheme : bad) {
    Status status = scheme.Validate();
    EXPECT_EQ(status.code(), StatusCode::kInvalidInput);
    EXPECT_NE(status.message().find("key scheme"), std::string::npos);
  }
}

TEST(SelectedPositionsTest, TableZeroTakesLowestFrequenciesByDiagonalThenRow) {
  const KeyScheme scheme{.bits_per_key = 8, .probes = 4};
  // (0,0); i+j=1: (0,1),(1,0); i+j=2: (0,2),(1,1),(2,0); i+j=3: (0,3),(1,2). Bit = 16i+j.
  EXPECT_EQ(SelectedPositions(scheme, 0), (std::vector<int>{0, 1, 16, 2, 17, 32, 3, 18}));
  const std::vector<int> all = SelectedPositions(KeyScheme{.bits_per_key = 256}, 0);
  EXPECT_EQ(std::set<int>(all.begin(), all.end()).size(), 256u);
  EXPECT_EQ(all.back(), 255);
}

TEST(SelectedPositionsTest, LaterTablesAreSeededDistinctAndFavourLowFrequencies) {
  const KeyScheme scheme{.tables = 8, .bits_per_key = 64, .probes = 64, .seed = 42};
  double mean_frequency = 0;
  for (std::uint32_t table = 1; table < scheme.tables; ++table) {
    const std::vector<int> positions = SelectedPositions(scheme, table);
    ASSERT_EQ(positions.size(), 64u);
    EXPECT_EQ(std::set<int>(positions.begin(), positions.end()).size(), 64u);
    EXPECT_TRUE(std::all_of(positions.begin(), positions.end(), [](int p) { return p >= 0 && p < 256; }));
    EXPECT_EQ(positions, SelectedPositions(scheme, table));  // deterministic
    EXPECT_NE(positions, SelectedPositions(scheme, table == 1 ? 2 : 1));
    for (int p : positions) mean_frequency += p / 16 + p % 16;
  }
  mean_frequency /= 7 * 64;
  EXPECT_LT(mean_frequency, 13.0);  // uniform positions average 15

  KeyScheme other = scheme;
  other.seed = 43;
  EXPECT_NE(SelectedPositions(scheme, 1), SelectedPositions(other, 1));
  // The seed only moves tables after the first.
  EXPECT_EQ(SelectedPositions(scheme, 0), SelectedPositions(other, 0));
}

TEST(BaseKeysTest, PacksSelectedBitsLsbFirstAfterTheTableByte) {
  const KeyScheme scheme{.tables = 3, .bits_per_key = 64, .probes = 3, .seed = 7};
  const PdqHash hash = RandomHash(1);
  const std::vector<MatchKey> keys = BaseKeys(hash, scheme);
  ASSERT_EQ(keys.size(), 3u);
  for (std::uint32_t table = 0; table < 3; ++table) {
    EXPECT_EQ(keys[table][0], table);
    const std::vector<int> positions = SelectedPositions(scheme, table);
    for (std::size_t n = 0; n < positions.size(); ++n) {
      EXPECT_EQ((keys[table][1 + n / 8] >> (n % 8)) & 1, hash.bit(positions[n]) ? 1 : 0);
    }
    for (std::size_t byte = 1 + 64 / 8; byte < keys[table].size(); ++byte) EXPECT_EQ(keys[table][byte], 0);
  }
}

TEST(BaseKeysTest, OnlySelectedBitsMatter) {
  const KeyScheme scheme{.bits_per_key = 64};
  PdqHash hash = RandomHash(2);
  const MatchKey before = BaseKeys(hash, scheme)[0];
  hash.set_bit(255, !hash.bit(255));  // highest frequency: never in table 0 at k=64
  EXPECT_EQ(BaseKeys(hash, scheme)[0], before);
  hash.set_bit(0, !hash.bit(0));
  EXPECT_NE(BaseKeys(hash, scheme)[0], before);
}

TEST(ProbeBudgetTest, SplitsEvenlyFirstTablesTakeTheRemainder) {
  const KeyScheme scheme{.tables = 3, .probes = 10};
  EXPECT_EQ(ProbeBudget(scheme, 0), 4u);
  EXPECT_EQ(ProbeBudget(scheme, 1), 3u);
  EXPECT_EQ(ProbeBudget(scheme, 2), 3u);
}

TEST(ProbeKeysTest, ExactlyPDistinctKeysBaseFirstGroupedByTable) {
  const KeyScheme scheme{.tables = 3, .bits_per_key = 32, .probes = 50, .seed = 9};
  const PdqHash hash = RandomHash(3);
  const BitMargins margins = RandomMargins(3);
  const std::vector<MatchKey> probes = ProbeKeys(hash, margins, scheme);
  ASSERT_EQ(probes.size(), 50u);
  EXPECT_EQ(std::set<MatchKey>(probes.begin(), probes.end()).size(), 50u);
  const std::vector<MatchKey> base = BaseKeys(hash, scheme);
  EXPECT_EQ(probes[0], base[0]);
  std::size_t at = 0;
  for (std::uint32_t table = 0; table < 3; ++table) {
    EXPECT_EQ(probes[at], base[table]);
    for (std::uint32_t n = 0; n < ProbeBudget(scheme, table); ++n) EXPECT_EQ(probes[at + n][0], table);
    at += ProbeBudget(scheme, table);
  }
  EXPECT_EQ(ProbeKeys(hash, margins, scheme), probes);  // deterministic
}

TEST(ProbeKeysTest, VariantsAreOrderedByTotalMarginAndMatchABruteForceEnumeration) {
  const KeyScheme scheme{.bits_per_key = 16, .probes = 200};
  const PdqHash hash = RandomHash(4);
  const BitMargins margins = RandomMargins(4);
  const std::vector<MatchKey> probes = ProbeKeys(hash, margins, scheme);
  const std::vector<int> positions = SelectedPositions(scheme, 0);

  std::vector<double> costs;
  for (const MatchKey& probe : probes) costs.push_back(FlippedMargin(probes[0], probe, positions, margins));
  EXPECT_TRUE(std::is_sorted(costs.begin(), costs.end()));

  // Brute force: the 2^16 subsets' totals, sorted; the probes must be the 200 cheapest.
  std::vector<double> all;
  for (std::uint32_t mask = 0; mask < (1u << 16); ++mask) {
    double total = 0;
    for (int n = 0; n < 16; ++n) {
      if (mask >> n & 1) total += margins[positions[n]];
    }
    all.push_back(total);
  }
  std::sort(all.begin(), all.end());
  for (std::size_t n = 0; n < costs.size(); ++n) EXPECT_NEAR(costs[n], all[n], 1e-3) << n;
}

TEST(ProbeKeysTest, FirstVariantFlipsTheLeastReliableBitTiesByPosition) {
  const KeyScheme scheme{.bits_per_key = 64, .probes = 3};
  const PdqHash hash = RandomHash(5);
  BitMargins margins{};
  margins.fill(10.0f);
  const std::vector<int> positions = SelectedPositions(scheme, 0);
  std::vector<MatchKey> probes = ProbeKeys(hash, margins, scheme);
  // All equal: the lowest hash positions go first (positions 0, then 1).
  PdqHash flipped = hash;
  flipped.set_bit(0, !flipped.bit(0));
  EXPECT_EQ(probes[1], BaseKeys(flipped, scheme)[0]);
  flipped = hash;
  flipped.set_bit(1, !flipped.bit(1));
  EXPECT_EQ(probes[2], BaseKeys(flipped, scheme)[0]);

  margins[positions[40]] = 0.5f;
  probes = ProbeKeys(hash, margins, scheme);
  flipped = hash;
  flipped.set_bit(positions[40], !flipped.bit(positions[40]));
  EXPECT_EQ(probes[1], BaseKeys(flipped, scheme)[0]);
}

TEST(ProbeKeysTest, ReachesTheDbKeyOfAHashWithItsWeakBitsFlipped) {
  // The point of probing: the device's image lost its two least reliable bits to re-encoding;
  // the DB holds the original's base key.
  const KeyScheme scheme{.bits_per_key = 64, .probes = 16};
  const PdqHash original = RandomHash(6);
  BitMargins margins = RandomMargins(6);
  const std::vector<int> positions = SelectedPositions(scheme, 0);
  margins[positions[5]] = 0.1f;
  margins[positions[50]] = 0.2f;
  PdqHash device = original;
  device.set_bit(positions[5], !device.bit(positions[5]));
  device.set_bit(positions[50], !device.bit(positions[50]));
  const std::vector<MatchKey> probes = ProbeKeys(device, margins, scheme);
  const MatchKey db_key = BaseKeys(original, scheme)[0];
  EXPECT_NE(probes[0], db_key);
  EXPECT_NE(std::find(probes.begin(), probes.end(), db_key), probes.end());
}

TEST(ProbeKeysTest, NonFiniteMarginsAreFlippedLast) {
  const KeyScheme scheme{.bits_per_key = 8, .probes = 9};
  const PdqHash hash = RandomHash(7);
  BitMargins margins{};
  margins.fill(1.0f);
  const std::vector<int> positions = SelectedPositions(scheme, 0);
  margins[positions[0]] = std::numeric_limits<float>::quiet_NaN();
  margins[positions[1]] = -3.0f;
  const std::vector<MatchKey> probes = ProbeKeys(hash, margins, scheme);
  ASSERT_EQ(probes.size(), 9u);
  EXPECT_EQ(std::set<MatchKey>(probes.begin(), probes.end()).size(), 9u);
  // The 8 cheapest after the base key never touch key bits 0 and 1.
  for (std::size_t n = 1; n < probes.size(); ++n) EXPECT_EQ((probes[n][1] ^ probes[0][1]) & 0x3, 0) << n;
}

TEST(ProbeKeysTest, SmallestKeysStillYieldPDistinctKeysPerTable) {
  const KeyScheme scheme{.tables = 2, .bits_per_key = 8, .probes = 512};
  const std::vector<MatchKey> probes = ProbeKeys(RandomHash(8), RandomMargins(8), scheme);
  EXPECT_EQ(std::set<MatchKey>(probes.begin(), probes.end()).size(), 512u);
}

}  // namespace
}  // namespace hashveil::matcher
