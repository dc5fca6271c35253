// Which served epochs are processed together (docs/protocol.md 3.3): only epochs whose devices
// derive the same polynomial and the same share x per image, i.e. the same t, s, p_syn and key
// bits k; a DB whose p_syn or k is unknown (a store migrated from schema 2) stays alone.
#include "epoch_groups.h"

#include <gtest/gtest.h>

namespace hashveil::tools::serve {
namespace {

psi::ServedDb Db(std::uint64_t epoch, std::uint32_t t, std::uint32_t s = 4,
                 std::optional<std::uint32_t> p_syn = 10'000,
                 std::optional<std::uint32_t> k = 64) {
  psi::ServedDb db;
  db.params.shape.epoch = epoch;
  db.params.shape.synthetic_max = s;
  db.params.threshold = t;
  db.params.synthetic_rate_ppm = p_syn;
  db.params.key_bits = k;
  return db;
}

std::vector<std::vector<std::uint64_t>> EpochsOf(const std::vector<psi::EpochGroup>& groups) {
  std::vector<std::vector<std::uint64_t>> epochs;
  for (const auto& group : groups) {
    epochs.emplace_back();
    for (const auto& [epoch, shape] : group.shapes) epochs.back().push_back(epoch);
  }
  return epochs;
}

TEST(EpochGroupsTest, EpochsCombineExactlyWhenTSPsynAndKAgree) {
  using Groups = std::vector<std::vector<std::uint64_t>>;
  EXPECT_EQ(EpochsOf(GroupEpochsByGeneration({Db(2, 3), Db(1, 3)})), (Groups{{1, 2}}));
  EXPECT_EQ(EpochsOf(GroupEpochsByGeneration({Db(2, 4), Db(1, 3)})), (Groups{{2}, {1}}));
  EXPECT_EQ(EpochsOf(GroupEpochsByGeneration({Db(2, 3, 5), Db(1, 3)})), (Groups{{2}, {1}}));
  EXPECT_EQ(EpochsOf(GroupEpochsByGeneration({Db(2, 3, 4, 20'000), Db(1, 3)})),
            (Groups{{2}, {1}}));
  EXPECT_EQ(EpochsOf(GroupEpochsByGeneration({Db(2, 3, 4, 10'000, 128), Db(1, 3)})),
            (Groups{{2}, {1}}));
  // Back to the first parameters: the device derives its first secrets again.
  EXPECT_EQ(EpochsOf(GroupEpochsByGeneration({Db(3, 3), Db(2, 4), Db(1, 3)})),
            (Groups{{1, 3}, {2}}));
  EXPECT_EQ(GroupEpochsByGeneration({Db(3, 3), Db(2, 4), Db(1, 3)}).at(1).threshold, 4u);
  // Unknown p_syn or k: alone, even beside a DB that looks the same.
  EXPECT_EQ(EpochsOf(GroupEpochsByGeneration({Db(2, 3), Db(1, 3, 4, std::nullopt)})),
            (Groups{{2}, {1}}));
  EXPECT_EQ(EpochsOf(GroupEpochsByGeneration({Db(2, 3), Db(1, 3, 4, 10'000, std::nullopt)})),
            (Groups{{2}, {1}}));
}

}  // namespace
}  // namespace hashveil::tools::serve
