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

TEST(AccountRiskTest, HigherThresholdsLowerTheOdds) {
  for (std::size_t i = 1; i < ThresholdGrid().size(); ++i) {
    EXPECT_LT(IndependentFlagProbability(10'000, 1e-4, ThresholdGrid()[i]),
              IndependentFlagProbability(10'000, 1e-4, ThresholdGrid()[i - 1]));
  }
}

}  // namespace
}  // namespace hashveil::audit
