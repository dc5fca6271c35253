#include "audit/account_risk.h"

#include <gtest/gtest.h>

#include "audit/statistics.h"

namespace hashveil::audit {
namespace {

TEST(AccountRiskTest, IndependentIsTheBinomialTail) {
  EXPECT_DOUBLE_EQ(IndependentFlagProbability(1000, 1e-6, 10), BinomialUpperTail(1000, 1e-6, 10));
}

TEST(AccountRiskTest, StressedCountsWholeBursts) {
  // 1000 images in bursts of 5: 200 bursts; t = 10 needs 2 matching bursts.
  EXPECT_DOUBLE_EQ(StressedFlagProbability(1000, 1e-4, 10, 5), BinomialUpperTail(200, 1e-4, 2));
  // t = 11 needs 3.
  EXPECT_DOUBLE_EQ(StressedFlagProbability(1000, 1e-4, 11, 5), BinomialUpperTail(200, 1e-4, 3));
}

TEST(AccountRiskTest, CorrelationRaisesTheOdds) {
  EXPECT_GT(StressedFlagProbability(10'000, 1e-6, 10), IndependentFlagProbability(10'000, 1e-6, 10));
}

TEST(AccountRiskTest, AssessmentJudgesTheRiskiestDecileAgainstBothRequirements) {
  // Hand-computed (mpmath) binomial tails at t = 10.
  const AccountAssessment fails = AssessAccount(1e-6, 1e-5, 10);
  ASSERT_EQ(fails.rows.size(), 2u);
  EXPECT_EQ(fails.rows[0].images_per_year, 10'000u);
  EXPECT_EQ(fails.rows[0].required, 1e-12);
  EXPECT_NEAR(fails.rows[0].pooled / 2.718554142370565770019e-27, 1, 1e-9);
  EXPECT_NEAR(fails.rows[0].riskiest / 2.505272637014058383424e-17, 1, 1e-9);
  // Bursts of 5: 2000 bursts, 2 of them needed.
  EXPECT_NEAR(fails.rows[0].riskiest_stressed / 1.972571663603360383704e-4, 1, 1e-9);
  EXPECT_EQ(fails.rows[1].images_per_year, 100'000u);
  EXPECT_NEAR(fails.rows[1].riskiest / 1.113849330911929154740e-7, 1, 1e-9);
  // 2.5e-17 <= 1e-12 at 10k, but 1.1e-7 > 1e-9 at 100k; the pooled rate alone would pass.
  EXPECT_FALSE(fails.met);
  EXPECT_LE(fails.rows[1].pooled, 1e-9);

  const AccountAssessment passes = AssessAccount(1e-7, 1e-6, 10);
  EXPECT_NEAR(passes.rows[1].riskiest / 2.515238412781608989066e-17, 1, 1e-9);
  EXPECT_TRUE(passes.met);
  EXPECT_EQ(passes.threshold, 10u);
}

TEST(AccountRiskTest, HigherThresholdsLowerTheOdds) {
  for (std::size_t i = 1; i < ThresholdGrid().size(); ++i) {
    EXPECT_LT(IndependentFlagProbability(10'000, 1e-4, ThresholdGrid()[i]),
              IndependentFlagProbability(10'000, 1e-4, ThresholdGrid()[i - 1]));
  }
}

}  // namespace
}  // namespace hashveil::audit
