#include "audit/detection_curve.h"

#include <cassert>

#include "audit/statistics.h"

namespace hashveil::audit {

DetectionCurve ComputeDetectionCurve(std::string mix, double per_image_recall,
                                     std::uint64_t threshold) {
  assert(threshold >= 1);
  DetectionCurve curve{std::move(mix), per_image_recall, {}};
  for (std::uint64_t n = threshold; n <= 10 * threshold; ++n) {
    curve.points.push_back({n, BinomialUpperTail(n, per_image_recall, threshold)});
  }
  return curve;
}

double MixedRecall(const std::vector<double>& recall, const std::vector<double>& weights) {
  assert(recall.size() == weights.size());
  double sum = 0, total = 0;
  for (std::size_t j = 0; j < recall.size(); ++j) {
    sum += weights[j] * recall[j];
    total += weights[j];
  }
  return total > 0 ? sum / total : 0;
}

}  // namespace hashveil::audit
