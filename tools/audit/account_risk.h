// Account-level false-flag odds (docs/design.md section 8): the chance that an innocent account
// with n images a year reaches the threshold t of distinct matching images, given a per-image
// false-match rate.
//
// Independent model: each of the n images false-matches independently with rate p, so the count
// is Binomial(n, p) and P(flag) = P(X >= t).
// Stressed model (correlated false matches): an account's images come in bursts of `burst`
// near-duplicates (the same scene shot or edited several times) that false-match together. Copies
// that share a base key count once (the protocol's per-image choices depend only on the base
// key), but edited copies can have different base keys; the stressed model assumes the worst, that
// every copy of a matching burst counts: n / burst independent bursts, each adding `burst` to
// the count, so P(flag) = P(Binomial(n / burst, p) >= ceil(t / burst)).
#pragma once

#include <cstdint>
#include <vector>

namespace hashveil::audit {

inline constexpr std::uint64_t kStressBurst = 5;

double IndependentFlagProbability(std::uint64_t images, double per_image_rate,
                                  std::uint64_t threshold);
double StressedFlagProbability(std::uint64_t images, double per_image_rate, std::uint64_t threshold,
                               std::uint64_t burst = kStressBurst);

// The grid the report tabulates.
const std::vector<std::uint64_t>& ThresholdGrid();    // t
const std::vector<std::uint64_t>& ImagesPerYearGrid();  // n
// Per-image rates the report also tabulates, to show what rate each threshold needs.
const std::vector<double>& AssumedRateGrid();

}  // namespace hashveil::audit
