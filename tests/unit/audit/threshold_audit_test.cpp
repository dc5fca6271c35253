#include "audit/threshold_audit.h"

#include <gtest/gtest.h>

namespace hashveil::audit {
namespace {

ParameterSetResult Set(std::uint32_t probes, double recall_ratio, bool no_false_match,
                       bool account) {
  ParameterSetResult r;
  r.set.matching.keys.probes = probes;
  r.benign_recall_ratio = recall_ratio;
  r.meets_no_false_match = no_false_match;
  r.meets_no_unrelated_match = no_false_match;
  r.meets_account = account;
  return r;
}

TEST(RecommendTest, HighestRecallAmongSafeSets) {
  const std::vector<ParameterSetResult> sets = {
      Set(16, 0.84, true, true),
      Set(32, 0.95, false, true),  // key-matches distinct photos
      Set(64, 0.97, true, false),  // misses the account criterion
      Set(32, 0.87, true, true),
  };
  EXPECT_EQ(Recommend(sets), 3u);
}

// A key match between two versions of one picture (PDQ distance 32..63) is listed for review but
// does not rule a set out; one between unrelated photos does.
TEST(RecommendTest, OnlyKeyMatchesBetweenUnrelatedPhotosRuleASetOut) {
  ParameterSetResult related = Set(48, 0.9, true, true);
  related.meets_no_false_match = false;
  EXPECT_EQ(Recommend({Set(16, 0.8, true, true), related}), 1u);
  related.meets_no_unrelated_match = false;
  EXPECT_EQ(Recommend({Set(16, 0.8, true, true), related}), 0u);
}

TEST(RecommendTest, TiesGoToFewerProbesThenTheEarlierSet) {
  EXPECT_EQ(Recommend({Set(32, 0.9, true, true), Set(16, 0.9, true, true)}), 1u);
  EXPECT_EQ(Recommend({Set(16, 0.9, true, true), Set(16, 0.9, true, true)}), 0u);
}

TEST(RecommendTest, NoneWhenNoSetIsSafe) {
  EXPECT_FALSE(Recommend({Set(16, 0.99, false, true), Set(16, 0.99, true, false)}).has_value());
  EXPECT_FALSE(Recommend({}).has_value());
}

TEST(RunThresholdAuditTest, AnEmptyCorpusIsRefused) {
  AuditOptions options;
  options.parameter_sets = {ParameterSet{{{.tables = 1, .bits_per_key = 64, .probes = 16}, false}}};
  const Result<AuditResult> result = RunThresholdAudit(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(result.status().message().find("no image file"), std::string::npos);
}

}  // namespace
}  // namespace hashveil::audit
