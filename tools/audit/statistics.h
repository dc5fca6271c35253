// The statistics of the threshold audit (docs/design.md section 8): exact binomial confidence
// bounds for rates measured with few or no events, and binomial tails for the account-level risk.
// Everything is computed in log space so that probabilities down to 1e-300 stay accurate.
#pragma once

#include <cstdint>

namespace hashveil::audit {

// The regularised incomplete beta function I_x(a, b), for a, b > 0 and x in [0, 1].
double RegularizedIncompleteBeta(double a, double b, double x);

// The p-quantile of Beta(a, b): the x with I_x(a, b) = p, for p in [0, 1].
double BetaQuantile(double a, double b, double p);

// Clopper-Pearson one-sided upper confidence bound on a rate after `events` in `trials`: the
// largest rate under which seeing at most `events` still has probability >= 1 - confidence.
// With zero events it is 1 - (1 - confidence)^(1/trials), about 3/trials at 95%.
// Precondition: events <= trials, 0 < confidence < 1. Returns 1 when trials == 0.
double ClopperPearsonUpper(std::uint64_t events, std::uint64_t trials, double confidence = 0.95);

// P(X >= threshold) for X ~ Binomial(trials, p). Exact, summed in log space from the smaller
// side, so tiny tails (1e-200) are not lost to cancellation. Precondition: p in [0, 1].
double BinomialUpperTail(std::uint64_t trials, double p, std::uint64_t threshold);

// The regularised lower incomplete gamma function P(a, x), for a > 0 and x >= 0.
double RegularizedGammaP(double a, double x);

// The p-quantile of Gamma(a, 1): the x with P(a, x) = p, for p in [0, 1).
double GammaQuantile(double a, double p);

// Garwood's exact two-sided interval for the mean of a Poisson count after observing `events`:
// lower = GammaQuantile(events, (1 - confidence) / 2) (0 when events == 0), upper =
// GammaQuantile(events + 1, (1 + confidence) / 2). Each side errs with probability at most
// (1 - confidence) / 2.
struct PoissonInterval {
  double lower = 0, upper = 0;
};
PoissonInterval GarwoodInterval(std::uint64_t events, double confidence = 0.95);

// 1 - (1 - p)^n without cancellation: the chance that at least one of n independent trials,
// each with probability p, succeeds. Precondition: p in [0, 1].
double AnyOf(double p, double n);

}  // namespace hashveil::audit
