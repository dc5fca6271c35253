#include "cuckoo_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "hashveil/common/random.h"
#include "hashveil/common/seeded_random.h"

namespace hashveil::hashdb {
namespace {

std::vector<matcher::MatchKey> RandomKeys(std::size_t count, std::uint64_t seed) {
  auto random = MakeSeededRandomForTesting(seed);
  std::vector<matcher::MatchKey> keys(count);
  for (auto& key : keys) random->Fill(std::span(key).subspan(1, 8));
  return keys;
}

psi::DbNonce Nonce(std::uint8_t tag) {
  psi::DbNonce nonce{};
  nonce.fill(tag);
  return nonce;
}

TEST(CuckooTableTest, SlotCountFollowsTheLoad) {
  EXPECT_EQ(CuckooSlotCount(900, 0.9, 3), 1000u);
  EXPECT_EQ(CuckooSlotCount(1, 0.9, 3), 3u);  // at least one slot per function
  EXPECT_EQ(CuckooSlotCount(480, 0.48, 2), 1000u);
}

TEST(CuckooTableTest, EveryKeyIsPlacedOnceAtOneOfItsOwnSlots) {
  const auto keys = RandomKeys(20'000, 1);
  const auto nonce = Nonce(1);
  const std::uint64_t slots = CuckooSlotCount(keys.size(), 0.9, 3);
  auto placement = PlaceKeys(keys, nonce, slots, 3, 2);
  ASSERT_TRUE(placement.ok()) << placement.status().ToString();
  EXPECT_TRUE(placement->dropped_keys.empty());
  ASSERT_EQ(placement->slot_key.size(), slots);
  std::set<std::uint32_t> seen;
  for (std::uint64_t slot = 0; slot < slots; ++slot) {
    const std::uint32_t key = placement->slot_key[slot];
    if (key == CuckooPlacement::kEmptySlot) continue;
    ASSERT_LT(key, keys.size());
    EXPECT_TRUE(seen.insert(key).second) << "key placed twice";
    const auto own = psi::CuckooSlots(nonce, keys[key], slots, 3);
    EXPECT_NE(std::find(own.begin(), own.end(), slot), own.end());
  }
  EXPECT_EQ(seen.size(), keys.size());
}

TEST(CuckooTableTest, PlacementIsDeterministicAndDependsOnTheNonce) {
  const auto keys = RandomKeys(2000, 2);
  const std::uint64_t slots = CuckooSlotCount(keys.size(), 0.9, 3);
  auto a = PlaceKeys(keys, Nonce(1), slots, 3, 1);
  auto b = PlaceKeys(keys, Nonce(1), slots, 3, 2);
  auto c = PlaceKeys(keys, Nonce(2), slots, 3, 2);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->slot_key, b->slot_key);  // the thread count does not change the result
  EXPECT_NE(a->slot_key, c->slot_key);
}

TEST(CuckooTableTest, OverfullTableDropsAndCountsKeys) {
  const auto keys = RandomKeys(100, 3);
  auto placement = PlaceKeys(keys, Nonce(3), 60, 2, 1);
  ASSERT_TRUE(placement.ok());
  const auto occupied = std::count_if(placement->slot_key.begin(), placement->slot_key.end(),
                                      [](std::uint32_t k) { return k != CuckooPlacement::kEmptySlot; });
  EXPECT_EQ(static_cast<std::size_t>(occupied) + placement->dropped_keys.size(), keys.size());
  EXPECT_GE(placement->dropped_keys.size(), 40u);
  EXPECT_TRUE(std::is_sorted(placement->dropped_keys.begin(), placement->dropped_keys.end()));
}

TEST(CuckooTableTest, ParametersOutOfRangeAreRefused) {
  const auto keys = RandomKeys(10, 4);
  EXPECT_EQ(PlaceKeys(keys, Nonce(1), 20, 0, 1).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(PlaceKeys(keys, Nonce(1), 20, psi::kMaxCuckooFunctions + 1, 1).status().code(),
            StatusCode::kInvalidInput);
  EXPECT_EQ(PlaceKeys(keys, Nonce(1), 2, 3, 1).status().code(), StatusCode::kInvalidInput);
}

}  // namespace
}  // namespace hashveil::hashdb
