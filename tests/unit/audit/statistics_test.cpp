// Known values from mpmath at 40 digits (see docs/audit.md, "Statistics").
#include "audit/statistics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hashveil::audit {
namespace {

void ExpectRelativelyNear(double got, double want, double tolerance = 1e-9) {
  EXPECT_NEAR(got / want, 1.0, tolerance) << "got " << got << ", want " << want;
}

TEST(StatisticsTest, IncompleteBetaMatchesKnownValues) {
  ExpectRelativelyNear(RegularizedIncompleteBeta(2, 3, 0.4), 0.5248);
  ExpectRelativelyNear(RegularizedIncompleteBeta(0.5, 0.5, 0.2), 0.2951672353008665483508);
  ExpectRelativelyNear(RegularizedIncompleteBeta(30, 70, 0.2), 0.009692085749007037614899);
  EXPECT_EQ(RegularizedIncompleteBeta(3, 4, 0), 0);
  EXPECT_EQ(RegularizedIncompleteBeta(3, 4, 1), 1);
}

TEST(StatisticsTest, BetaQuantileInvertsTheIncompleteBeta) {
  for (double p : {1e-12, 0.05, 0.5, 0.95}) {
    const double x = BetaQuantile(4, 9, p);
    ExpectRelativelyNear(RegularizedIncompleteBeta(4, 9, x), p, 1e-8);
  }
}

TEST(StatisticsTest, ClopperPearsonUpperMatchesKnownValues) {
  ExpectRelativelyNear(ClopperPearsonUpper(1, 10), 0.3941633024365047817165);
  ExpectRelativelyNear(ClopperPearsonUpper(5, 100), 0.1022533776432745088579);
  // Zero events: 1 - 0.05^(1/n), about 3/n.
  ExpectRelativelyNear(ClopperPearsonUpper(0, 1'000'000), 2.995727786352544406135e-6);
  ExpectRelativelyNear(ClopperPearsonUpper(0, 10), 1 - std::pow(0.05, 0.1));
  EXPECT_EQ(ClopperPearsonUpper(0, 0), 1);
  EXPECT_EQ(ClopperPearsonUpper(7, 7), 1);
}

TEST(StatisticsTest, ClopperPearsonGrowsWithEventsAndShrinksWithTrials) {
  EXPECT_LT(ClopperPearsonUpper(0, 1000), ClopperPearsonUpper(1, 1000));
  EXPECT_LT(ClopperPearsonUpper(1, 10'000), ClopperPearsonUpper(1, 1000));
}

TEST(StatisticsTest, BinomialTailMatchesKnownValues) {
  ExpectRelativelyNear(BinomialUpperTail(10, 0.5, 8), 56.0 / 1024);
  ExpectRelativelyNear(BinomialUpperTail(1000, 1e-6, 10), 2.631725992861165215997e-37);
  ExpectRelativelyNear(BinomialUpperTail(10'000, 1e-3, 20), 0.003437566815702366290880);
  ExpectRelativelyNear(BinomialUpperTail(100'000, 1e-9, 2), 4.999616689165516720692e-9);
  // The mode lies above t: summed from the other side.
  ExpectRelativelyNear(BinomialUpperTail(100, 0.3, 20), 0.9911127916838571785055);
}

TEST(StatisticsTest, BinomialTailEdges) {
  EXPECT_EQ(BinomialUpperTail(10, 0.3, 0), 1);
  EXPECT_EQ(BinomialUpperTail(10, 0.3, 11), 0);
  EXPECT_EQ(BinomialUpperTail(10, 0, 1), 0);
  EXPECT_EQ(BinomialUpperTail(10, 1, 10), 1);
  ExpectRelativelyNear(BinomialUpperTail(5, 0.2, 5), std::pow(0.2, 5));
}

TEST(StatisticsTest, IncompleteGammaMatchesKnownValues) {
  ExpectRelativelyNear(RegularizedGammaP(3, 2), 0.3233235838169365405300025);
  ExpectRelativelyNear(RegularizedGammaP(0.5, 0.1), 0.3452791539814229795581638);
  ExpectRelativelyNear(RegularizedGammaP(10, 20), 0.9950045876916924128338107);
  EXPECT_EQ(RegularizedGammaP(2, 0), 0);
  ExpectRelativelyNear(RegularizedGammaP(4, GammaQuantile(4, 1e-6)), 1e-6, 1e-8);
}

TEST(StatisticsTest, GarwoodIntervalMatchesKnownValues) {
  // Zero events: [0, -ln 0.025].
  EXPECT_EQ(GarwoodInterval(0).lower, 0);
  ExpectRelativelyNear(GarwoodInterval(0).upper, 3.688879454113935414674036);
  ExpectRelativelyNear(GarwoodInterval(1).lower, 0.02531780798428987682708587);
  ExpectRelativelyNear(GarwoodInterval(1).upper, 5.571643390938897549638370);
  ExpectRelativelyNear(GarwoodInterval(10).lower, 4.795388696132433681109969);
  ExpectRelativelyNear(GarwoodInterval(10).upper, 18.39035604201777695375370);
}

TEST(StatisticsTest, AnyOfIsStableForTinyRates) {
  ExpectRelativelyNear(AnyOf(1e-15, 1e6), 1e-9, 1e-6);
  ExpectRelativelyNear(AnyOf(0.5, 2), 0.75);
  EXPECT_EQ(AnyOf(0, 1e6), 0);
}

}  // namespace
}  // namespace hashveil::audit
