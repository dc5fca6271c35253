#include "audit/beta_binomial.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace hashveil::audit {
namespace {

TEST(BetaBinomialTest, PmfMatchesKnownValues) {
  const BetaBinomial d{16, 2, 30};  // mpmath, 30 digits
  EXPECT_NEAR(d.Pmf(0) / 0.4301572617946345975948196, 1, 1e-9);
  EXPECT_NEAR(d.Pmf(3) / 0.06790361285553076100157829, 1, 1e-9);
  EXPECT_EQ(d.Pmf(-1), 0);
  EXPECT_EQ(d.Pmf(17), 0);
  double sum = 0;
  for (int j = 0; j <= 16; ++j) sum += d.Pmf(j);
  EXPECT_NEAR(sum, 1, 1e-12);
}

TEST(BetaBinomialTest, FitRecoversTheParametersOfSampledData) {
  // Pairs whose per-bit disagreement theta ~ Beta(6, 5), k = 32: what distinct photos look like.
  std::mt19937_64 random(7);
  std::gamma_distribution<double> ga(6, 1), gb(5, 1);
  std::vector<std::uint64_t> counts(33);
  for (int i = 0; i < 200'000; ++i) {
    const double x = ga(random), theta = x / (x + gb(random));
    ++counts[std::binomial_distribution<int>(32, theta)(random)];
  }
  const BetaBinomial fit = FitBetaBinomial(counts);
  EXPECT_EQ(fit.trials, 32);
  EXPECT_NEAR(fit.alpha / 6, 1, 0.08) << fit.alpha;
  EXPECT_NEAR(fit.beta / 5, 1, 0.08) << fit.beta;
  // The lower tail the collision rate comes from.
  const BetaBinomial truth{32, 6, 5};
  EXPECT_NEAR(fit.Pmf(0) / truth.Pmf(0), 1, 0.5);
}

TEST(BetaBinomialTest, FitOfBinomialDataIsNearlyBinomial) {
  std::mt19937_64 random(3);
  std::binomial_distribution<int> bits(24, 0.5);
  std::vector<std::uint64_t> counts(25);
  for (int i = 0; i < 100'000; ++i) ++counts[bits(random)];
  const BetaBinomial fit = FitBetaBinomial(counts);
  EXPECT_GT(fit.alpha + fit.beta, 200);  // little overdispersion
  EXPECT_NEAR(fit.Pmf(0) / std::ldexp(1.0, -24), 1, 0.5);
}

}  // namespace
}  // namespace hashveil::audit
