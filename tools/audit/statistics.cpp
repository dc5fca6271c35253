#include "audit/statistics.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace hashveil::audit {
namespace {

// log C(n, k) + k log p + (n-k) log(1-p): the log of one binomial probability.
double LogBinomialTerm(double n, double k, double log_p, double log_q) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1) + k * log_p +
         (n - k) * log_q;
}

// Modified Lentz evaluation of the continued fraction for I_x(a, b) (Numerical Recipes,
// "betacf"); converges quickly for x < (a + 1) / (a + b + 2).
double BetaContinuedFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEpsilon = 1e-16;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 10'000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kEpsilon) break;
  }
  return h;
}

// log of x^a (1-x)^b / B(a, b), the prefactor of the continued fraction.
double LogBetaPrefactor(double a, double b, double x) {
  return std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
         b * std::log1p(-x);
}

// log(exp(a) + exp(b)), exact for a or b = -inf.
double LogAddExp(double a, double b) {
  if (a < b) std::swap(a, b);
  if (b == -std::numeric_limits<double>::infinity()) return a;
  return a + std::log1p(std::exp(b - a));
}

// log sum of the binomial terms from k = first, stepping by `step` (+1 or -1), until they no
// longer change the sum or leave [0, n]. Terms fall off monotonically on the side of the mode we
// start from, so the stopping rule only ever drops terms below 1e-17 of the sum.
double LogTermSum(double n, double first, int step, double log_p, double log_q) {
  double log_sum = -std::numeric_limits<double>::infinity();
  for (double k = first; k >= 0 && k <= n; k += step) {
    const double term = LogBinomialTerm(n, k, log_p, log_q);
    const double next = LogAddExp(log_sum, term);
    if (next == log_sum || term < log_sum - 40) break;
    log_sum = next;
  }
  return log_sum;
}

// P(a, x) by its series (Numerical Recipes, "gser"); converges quickly for x < a + 1.
double GammaSeries(double a, double x) {
  double term = 1 / a, sum = term;
  for (int n = 1; n <= 10'000; ++n) {
    term *= x / (a + n);
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * 1e-16) break;
  }
  return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

// Q(a, x) = 1 - P(a, x) by Lentz's continued fraction ("gcf"), for x >= a + 1.
double GammaContinuedFraction(double a, double x) {
  constexpr double kTiny = 1e-300;
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i <= 10'000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < 1e-16) break;
  }
  return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

}  // namespace

double RegularizedGammaP(double a, double x) {
  assert(a > 0 && x >= 0);
  if (x <= 0) return 0;
  return x < a + 1 ? GammaSeries(a, x) : 1 - GammaContinuedFraction(a, x);
}

double GammaQuantile(double a, double p) {
  assert(p >= 0 && p < 1);
  if (p <= 0) return 0;
  // Bisection: P(a, x) increases in x; the mean plus 50 standard deviations plus 50 brackets
  // every quantile below 1 - 1e-16.
  double lo = 0, hi = a + 50 * std::sqrt(a) + 50;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (RegularizedGammaP(a, mid) < p) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi;
}

PoissonInterval GarwoodInterval(std::uint64_t events, double confidence) {
  assert(confidence > 0 && confidence < 1);
  const double k = static_cast<double>(events);
  return {events == 0 ? 0 : GammaQuantile(k, (1 - confidence) / 2),
          GammaQuantile(k + 1, (1 + confidence) / 2)};
}

double RegularizedIncompleteBeta(double a, double b, double x) {
  assert(a > 0 && b > 0 && x >= 0 && x <= 1);
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x < (a + 1) / (a + b + 2)) {
    return std::exp(LogBetaPrefactor(a, b, x)) * BetaContinuedFraction(a, b, x) / a;
  }
  return 1 - std::exp(LogBetaPrefactor(b, a, 1 - x)) * BetaContinuedFraction(b, a, 1 - x) / b;
}

double BetaQuantile(double a, double b, double p) {
  assert(p >= 0 && p <= 1);
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  // Bisection on log x: I_x is increasing in x, and working in log space keeps full relative
  // precision for quantiles as small as 1e-300 (tiny bounds are the interesting ones here).
  double lo = std::log(std::numeric_limits<double>::min()), hi = 0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (RegularizedIncompleteBeta(a, b, std::exp(mid)) < p) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return std::exp(hi);
}

double ClopperPearsonUpper(std::uint64_t events, std::uint64_t trials, double confidence) {
  assert(events <= trials && confidence > 0 && confidence < 1);
  if (trials == 0 || events >= trials) return 1;
  if (events == 0) return -std::expm1(std::log1p(-confidence) / static_cast<double>(trials));
  return BetaQuantile(static_cast<double>(events) + 1, static_cast<double>(trials - events),
                      confidence);
}

double BinomialUpperTail(std::uint64_t trials, double p, std::uint64_t threshold) {
  assert(p >= 0 && p <= 1);
  if (threshold == 0) return 1;
  if (threshold > trials || p <= 0) return 0;
  if (p >= 1) return 1;
  const double n = static_cast<double>(trials), t = static_cast<double>(threshold);
  const double log_p = std::log(p), log_q = std::log1p(-p);
  // Sum whichever side does not contain the mode, so every summed term is at most the first.
  if (t > n * p) return std::min(1.0, std::exp(LogTermSum(n, t, +1, log_p, log_q)));
  return std::max(0.0, -std::expm1(LogTermSum(n, t - 1, -1, log_p, log_q)));
}

double AnyOf(double p, double n) {
  assert(p >= 0 && p <= 1);
  if (p >= 1) return n > 0 ? 1 : 0;
  return -std::expm1(n * std::log1p(-p));
}

}  // namespace hashveil::audit
