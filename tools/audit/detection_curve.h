// The account-level detection curve (issue 12): the probability that an account sending n
// distinct known images is reported. Each image is sent once, as a copy whose transform is drawn
// from a stated mix; it matches with r = sum_j w_j recall_j, independently of the others, and
// the account is reported iff at least t distinct images match: P(Binomial(n, r) >= t).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hashveil::audit {

struct DetectionPoint {
  std::uint64_t images = 0;  // n
  double probability = 0;
};

struct DetectionCurve {
  std::string mix;                     // what the copies' transforms are, in words
  double per_image_recall = 0;         // r
  std::vector<DetectionPoint> points;  // n = t..10t
};

// P(Binomial(n, r) >= t) for n = t, t+1, ..., 10t. Precondition: r in [0, 1], t >= 1.
DetectionCurve ComputeDetectionCurve(std::string mix, double per_image_recall,
                                     std::uint64_t threshold);

// sum_j w_j recall_j / sum_j w_j; 0 when the weights sum to 0. Precondition: equal sizes,
// weights >= 0.
double MixedRecall(const std::vector<double>& recall, const std::vector<double>& weights);

}  // namespace hashveil::audit
