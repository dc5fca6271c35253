// Account-level false-flag odds (docs/design.md section 8): the chance that an innocent account
// with n images a year reaches the threshold t of distinct matching images, given a per-image
// false-match rate.
//
// Independent model: each of the n images false-matches independently with rate p, so the count
// is Binomial(n, p) and P(flag) = P(X >= t).
// Protocol v2 counts distinct DB keys: copies of one image (and any two images that meet the same
// DB entry) count once, so n images can only reach t if t distinct entries are met, and the
// independent model is the headline.
// Stressed model (correlated false matches): an account's images come in bursts of `burst`
// near-duplicates (the same scene shot or edited several times) that false-match together. Under
// protocol v2 a burst counts once per DB key it reaches, so the stress is the worst case of
// bursts whose `burst` copies, edited apart, each reach a different DB key: n / burst
// independent bursts, each adding `burst` to the count, so
// P(flag) = P(Binomial(n / burst, p) >= ceil(t / burst)).
#pragma once

#include <cstdint>
#include <vector>

namespace hashveil::audit {

inline constexpr std::uint64_t kStressBurst = 5;

double IndependentFlagProbability(std::uint64_t images, double per_image_rate,
                                  std::uint64_t threshold);
double StressedFlagProbability(std::uint64_t images, double per_image_rate, std::uint64_t threshold,
                               std::uint64_t burst = kStressBurst);

// The account criterion of issue 12, at the default threshold t: an innocent account crosses t
// in a year with probability <= 1e-12 at 10,000 images and <= 1e-9 at 100,000 (independent
// model), judged on the riskiest decile of photos (stricter than on the pooled rate).
struct AccountRequirement {
  std::uint64_t images_per_year;
  double max_probability;
};
inline constexpr AccountRequirement kAccountRequirements[] = {{10'000, 1e-12}, {100'000, 1e-9}};

struct AccountRiskRow {
  std::uint64_t images_per_year = 0;
  double required = 0;
  double pooled = 0;             // independent, at the pooled per-image rate
  double riskiest = 0;           // independent, every image like the riskiest decile
  double riskiest_stressed = 0;  // stressed, the riskiest decile's rate
};

struct AccountAssessment {
  std::uint64_t threshold = 0;
  std::vector<AccountRiskRow> rows;  // one per kAccountRequirements
  bool met = false;                  // riskiest <= required in every row
};

AccountAssessment AssessAccount(double pooled_rate, double riskiest_rate, std::uint64_t threshold);

// The grid the report tabulates.
const std::vector<std::uint64_t>& ThresholdGrid();    // t
const std::vector<std::uint64_t>& ImagesPerYearGrid();  // n
// Per-image rates the report also tabulates, to show what rate each threshold needs.
const std::vector<double>& AssumedRateGrid();

}  // namespace hashveil::audit
