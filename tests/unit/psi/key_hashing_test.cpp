#include "hashveil/psi/key_hashing.h"

#include <gtest/gtest.h>

#include <set>

namespace hashveil::psi {
namespace {

matcher::MatchKey KeyWith(std::uint8_t table, std::uint8_t first_byte) {
  matcher::MatchKey key{};
  key[0] = table;
  key[1] = first_byte;
  return key;
}

TEST(KeyHashingTest, MatchKeyPointDependsOnKeyAndNonce) {
  DbNonce nonce{};
  DbNonce other_nonce{};
  other_nonce[0] = 1;
  const Point p = HashMatchKey(nonce, KeyWith(0, 1));
  EXPECT_TRUE(IsValidPoint(p));
  EXPECT_EQ(p, HashMatchKey(nonce, KeyWith(0, 1)));
  EXPECT_NE(p, HashMatchKey(nonce, KeyWith(0, 2)));
  EXPECT_NE(p, HashMatchKey(nonce, KeyWith(1, 1)));  // the table index is part of the key
  EXPECT_NE(p, HashMatchKey(other_nonce, KeyWith(0, 1)));
}

TEST(KeyHashingTest, CuckooSlotsAreDistinctInRangeAndDeterministic) {
  DbNonce nonce{};
  for (std::uint64_t slot_count : {2u, 3u, 7u, 1000u}) {
    for (std::uint32_t functions = 1; functions <= std::min<std::uint64_t>(3, slot_count);
         ++functions) {
      for (int k = 0; k < 200; ++k) {
        const auto key = KeyWith(0, static_cast<std::uint8_t>(k));
        const auto slots = CuckooSlots(nonce, key, slot_count, functions);
        ASSERT_EQ(slots.size(), functions);
        EXPECT_EQ(std::set<std::uint64_t>(slots.begin(), slots.end()).size(), functions);
        for (auto s : slots) EXPECT_LT(s, slot_count);
        EXPECT_EQ(slots, CuckooSlots(nonce, key, slot_count, functions));
      }
    }
  }
}

TEST(KeyHashingTest, CuckooSlotsSpreadEvenly) {
  DbNonce nonce{};
  std::vector<int> counts(10, 0);
  for (int k = 0; k < 5000; ++k) {
    matcher::MatchKey key{};
    key[1] = static_cast<std::uint8_t>(k);
    key[2] = static_cast<std::uint8_t>(k >> 8);
    ++counts[CuckooSlots(nonce, key, 10, 1)[0]];
  }
  for (int c : counts) EXPECT_NEAR(c, 500, 120);
}

TEST(KeyHashingTest, FillersAreVerifiableFromTheSeed) {
  FillerSeed seed{};
  seed[3] = 9;
  EXPECT_EQ(FillerPoint(seed, 5), FillerPoint(seed, 5));
  EXPECT_NE(FillerPoint(seed, 5), FillerPoint(seed, 6));
  EXPECT_TRUE(IsValidPoint(FillerPoint(seed, 0)));
}

}  // namespace
}  // namespace hashveil::psi
