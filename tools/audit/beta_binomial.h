// The beta-binomial distribution of the Hamming distance D between the k selected key bits of
// two distinct photos: each pair disagrees per bit with its own probability theta ~ Beta(alpha,
// beta), and D | theta ~ Binomial(k, theta). Unlike independent bits (one theta for all pairs)
// it has the heavy lower tail of photos that resemble each other, which is what key collisions
// come from (docs/audit.md, "Model validation").
#pragma once

#include <cstdint>
#include <vector>

namespace hashveil::audit {

struct BetaBinomial {
  int trials = 0;  // k
  double alpha = 1, beta = 1;
  // P(D = j); 0 outside [0, trials].
  double Pmf(int j) const;
};

// The maximum-likelihood fit to a histogram of D (counts[j] pairs at distance j, j = 0..k, so
// counts.size() == k + 1). Nelder-Mead on (log alpha, log beta) from the method-of-moments
// start. Degenerate histograms (one distance, or no overdispersion) give a near-binomial fit
// with large alpha + beta. Precondition: counts.size() >= 2 and some count > 0.
BetaBinomial FitBetaBinomial(const std::vector<std::uint64_t>& counts);

}  // namespace hashveil::audit
