#include "audit/account_risk.h"

#include "audit/statistics.h"

namespace hashveil::audit {

double IndependentFlagProbability(std::uint64_t images, double per_image_rate,
                                  std::uint64_t threshold) {
  return BinomialUpperTail(images, per_image_rate, threshold);
}

double StressedFlagProbability(std::uint64_t images, double per_image_rate, std::uint64_t threshold,
                               std::uint64_t burst) {
  const std::uint64_t bursts = (images + burst - 1) / burst;
  const std::uint64_t bursts_needed = (threshold + burst - 1) / burst;
  return BinomialUpperTail(bursts, per_image_rate, bursts_needed);
}

AccountAssessment AssessAccount(double pooled_rate, double riskiest_rate, std::uint64_t threshold) {
  AccountAssessment assessment{threshold, {}, true};
  for (const AccountRequirement& requirement : kAccountRequirements) {
    const std::uint64_t n = requirement.images_per_year;
    AccountRiskRow row{n, requirement.max_probability,
                       IndependentFlagProbability(n, pooled_rate, threshold),
                       IndependentFlagProbability(n, riskiest_rate, threshold),
                       StressedFlagProbability(n, riskiest_rate, threshold)};
    assessment.met = assessment.met && row.riskiest <= row.required;
    assessment.rows.push_back(row);
  }
  return assessment;
}

const std::vector<std::uint64_t>& ThresholdGrid() {
  static const std::vector<std::uint64_t> grid = {1, 2, 3, 5, 10, 20, 30};
  return grid;
}

const std::vector<std::uint64_t>& ImagesPerYearGrid() {
  static const std::vector<std::uint64_t> grid = {100, 1'000, 10'000, 100'000};
  return grid;
}

const std::vector<double>& AssumedRateGrid() {
  static const std::vector<double> grid = {1e-3, 1e-4, 1e-6, 1e-9};
  return grid;
}

}  // namespace hashveil::audit
