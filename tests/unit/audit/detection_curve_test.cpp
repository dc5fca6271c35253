#include "audit/detection_curve.h"

#include <gtest/gtest.h>

namespace hashveil::audit {
namespace {

TEST(DetectionCurveTest, IsTheBinomialTailFromTToTenT) {
  const DetectionCurve curve = ComputeDetectionCurve("mix", 0.5, 2);
  EXPECT_EQ(curve.mix, "mix");
  ASSERT_EQ(curve.points.size(), 19u);  // n = 2..20
  EXPECT_EQ(curve.points.front().images, 2u);
  EXPECT_EQ(curve.points.back().images, 20u);
  EXPECT_DOUBLE_EQ(curve.points[0].probability, 0.25);  // both match
  EXPECT_DOUBLE_EQ(curve.points[1].probability, 0.5);   // 2 or 3 of 3: (3 + 1) / 8
  for (std::size_t i = 1; i < curve.points.size(); ++i) {
    EXPECT_GT(curve.points[i].probability, curve.points[i - 1].probability);
  }
}

TEST(DetectionCurveTest, CertainAndImpossibleMatches) {
  EXPECT_EQ(ComputeDetectionCurve("", 1, 10).points.front().probability, 1);
  EXPECT_EQ(ComputeDetectionCurve("", 0, 10).points.back().probability, 0);
}

TEST(DetectionCurveTest, MixedRecallIsTheWeightedMean) {
  EXPECT_DOUBLE_EQ(MixedRecall({1.0, 0.5, 0.0}, {1, 1, 0}), 0.75);
  EXPECT_DOUBLE_EQ(MixedRecall({0.2, 0.8}, {3, 1}), 0.35);
  EXPECT_EQ(MixedRecall({0.2}, {0}), 0);
}

}  // namespace
}  // namespace hashveil::audit
