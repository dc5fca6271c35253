#include "audit/beta_binomial.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <functional>

namespace hashveil::audit {
namespace {

double LogBeta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }

double LogChoose(double n, double k) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

// Negative log-likelihood of the histogram at (log alpha, log beta).
double NegativeLogLikelihood(const std::vector<std::uint64_t>& counts, double log_alpha,
                             double log_beta) {
  const double a = std::exp(log_alpha), b = std::exp(log_beta);
  const double k = static_cast<double>(counts.size() - 1);
  double sum = 0;
  for (std::size_t j = 0; j < counts.size(); ++j) {
    if (counts[j] == 0) continue;
    sum += static_cast<double>(counts[j]) * (LogBeta(j + a, k - j + b) - LogBeta(a, b));
  }
  return -sum;
}

using Point = std::array<double, 2>;

// Nelder-Mead minimisation in two dimensions (standard coefficients), a fixed number of steps:
// the likelihood is smooth and unimodal in log space, so this converges well within them.
Point Minimise(const std::function<double(const Point&)>& f, Point start) {
  std::array<Point, 3> simplex = {start, Point{start[0] + 0.5, start[1]},
                                  Point{start[0], start[1] + 0.5}};
  std::array<double, 3> value;
  for (int i = 0; i < 3; ++i) value[i] = f(simplex[i]);
  for (int step = 0; step < 2000; ++step) {
    std::array<int, 3> order = {0, 1, 2};
    std::sort(order.begin(), order.end(), [&](int x, int y) { return value[x] < value[y]; });
    const int best = order[0], middle = order[1], worst = order[2];
    if (std::fabs(value[worst] - value[best]) < 1e-12 * (1 + std::fabs(value[best]))) break;
    const Point centre = {(simplex[best][0] + simplex[middle][0]) / 2,
                          (simplex[best][1] + simplex[middle][1]) / 2};
    auto along = [&](double t) {
      return Point{centre[0] + t * (simplex[worst][0] - centre[0]),
                   centre[1] + t * (simplex[worst][1] - centre[1])};
    };
    const Point reflected = along(-1);
    const double reflected_value = f(reflected);
    if (reflected_value < value[best]) {
      const Point expanded = along(-2);
      const double expanded_value = f(expanded);
      simplex[worst] = expanded_value < reflected_value ? expanded : reflected;
      value[worst] = std::min(expanded_value, reflected_value);
    } else if (reflected_value < value[middle]) {
      simplex[worst] = reflected;
      value[worst] = reflected_value;
    } else {
      const Point contracted = along(0.5);
      const double contracted_value = f(contracted);
      if (contracted_value < value[worst]) {
        simplex[worst] = contracted;
        value[worst] = contracted_value;
      } else {
        for (int i : {middle, worst}) {
          simplex[i] = {(simplex[i][0] + simplex[best][0]) / 2,
                        (simplex[i][1] + simplex[best][1]) / 2};
          value[i] = f(simplex[i]);
        }
      }
    }
  }
  return simplex[std::min_element(value.begin(), value.end()) - value.begin()];
}

}  // namespace

double BetaBinomial::Pmf(int j) const {
  if (j < 0 || j > trials) return 0;
  return std::exp(LogChoose(trials, j) + LogBeta(j + alpha, trials - j + beta) -
                  LogBeta(alpha, beta));
}

BetaBinomial FitBetaBinomial(const std::vector<std::uint64_t>& counts) {
  assert(counts.size() >= 2);
  const double k = static_cast<double>(counts.size() - 1);
  double n = 0, mean = 0, square = 0;
  for (std::size_t j = 0; j < counts.size(); ++j) {
    n += static_cast<double>(counts[j]);
    mean += static_cast<double>(counts[j]) * j;
    square += static_cast<double>(counts[j]) * j * j;
  }
  assert(n > 0);
  mean /= n;
  const double variance = square / n - mean * mean;
  // Method of moments: mu = mean / k, and the variance k mu (1 - mu) (k + s) / (1 + s) with
  // s = alpha + beta; without overdispersion s is taken large (near-binomial).
  const double mu = std::clamp(mean / k, 1e-6, 1 - 1e-6);
  const double binomial_variance = k * mu * (1 - mu);
  const double ratio = variance / binomial_variance;
  const double s = ratio > 1 + 1e-9 && ratio < k ? (k - ratio) / (ratio - 1) : 1e6;
  const Point start = {std::log(mu * s), std::log((1 - mu) * s)};
  const Point fit = Minimise(
      [&](const Point& p) {
        // Keep the search where lgamma is accurate.
        if (std::fabs(p[0]) > 30 || std::fabs(p[1]) > 30) return 1e300;
        return NegativeLogLikelihood(counts, p[0], p[1]);
      },
      start);
  return {static_cast<int>(k), std::exp(fit[0]), std::exp(fit[1])};
}

}  // namespace hashveil::audit
