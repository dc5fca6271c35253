// The small grey derivative a voucher carries for a reviewer (docs/design.md section 5).
#include "hashveil/matcher/visual_derivative.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <utility>
#include <vector>

#include "hashveil/matcher/pdq_hasher.h"

namespace hashveil::matcher {
namespace {

std::uint8_t At(const VisualDerivative& derivative, int x, int y) {
  return derivative.pixels.data()[y * kVisualDerivativeSide + x];
}

TEST(VisualDerivativeTest, KeepsTheAspectRatioCentredOnBlack) {
  // 128 x 64 RGB, a horizontal ramp of grey: the derivative is 32 x 16 in rows 8..23.
  constexpr int kWidth = 128, kHeight = 64;
  std::vector<std::uint8_t> rgb(kWidth * kHeight * 3);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      for (int c = 0; c < 3; ++c) rgb[(y * kWidth + x) * 3 + c] = static_cast<std::uint8_t>(x * 2);
    }
  }
  auto derivative = MakeVisualDerivative({rgb.data(), kWidth, kHeight, kWidth * 3, PixelFormat::kRgb8});
  ASSERT_TRUE(derivative.ok()) << derivative.status().ToString();
  for (int x = 0; x < kVisualDerivativeSide; ++x) {
    EXPECT_EQ(At(*derivative, x, 0), 0);
    EXPECT_EQ(At(*derivative, x, 7), 0);
    EXPECT_EQ(At(*derivative, x, 24), 0);
    EXPECT_NEAR(At(*derivative, x, 8), x * 8 + 3, 1.0);  // mean of 4 source columns
    EXPECT_EQ(At(*derivative, x, 8), At(*derivative, x, 23));
  }
}

// The derivative is hashveil's own area averaging (no OpenCV on the device); OpenCV's INTER_AREA
// after its grey conversion is the yardstick it was made with, so the two stay within a grey level.
TEST(VisualDerivativeTest, AgreesWithOpenCvAreaAveragingWithinOneLevel) {
  std::mt19937 random(7);
  for (const auto& [width, height] :
       {std::pair{1000, 717}, {717, 1000}, {96, 32}, {13, 7}, {5, 40}}) {
    cv::Mat bgr(height, width, CV_8UC3);
    cv::randu(bgr, 0, 256);
    cv::GaussianBlur(bgr, bgr, cv::Size(5, 5), 0);  // photo-like: neighbours correlate
    cv::Mat grey, scaled;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    const int longer = std::max(width, height);
    const int w = std::max(1, width * kVisualDerivativeSide / longer);
    const int h = std::max(1, height * kVisualDerivativeSide / longer);
    cv::resize(grey, scaled, cv::Size(w, h), 0, 0, cv::INTER_AREA);
    auto derivative =
        MakeVisualDerivative({bgr.data, width, height, bgr.step[0], PixelFormat::kBgr8});
    ASSERT_TRUE(derivative.ok());
    const int left = (kVisualDerivativeSide - w) / 2, top = (kVisualDerivativeSide - h) / 2;
    int worst = 0;
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        worst = std::max(
            worst, std::abs(At(*derivative, left + x, top + y) - scaled.at<std::uint8_t>(y, x)));
      }
    }
    EXPECT_LE(worst, 1) << width << "x" << height;
  }
}

TEST(VisualDerivativeTest, PngRoundTripsThroughTheEncodedPath) {
  VisualDerivative derivative;
  for (std::size_t i = 0; i < kVisualDerivativeBytes; ++i) {
    derivative.pixels.data()[i] = static_cast<std::uint8_t>(i * 7);
  }
  auto png = EncodeVisualDerivativePng(derivative);
  ASSERT_TRUE(png.ok());
  ASSERT_GT(png->size(), 8u);
  EXPECT_EQ((*png)[1], 'P');
  auto decoded = HashAndDeriveEncodedImage(*png);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(ConstantTimeEqual(decoded->derivative.pixels.span(), derivative.pixels.span()));
  // The hash comes from the same decode: the same as hashing the bytes alone.
  EXPECT_EQ(decoded->pdq.hash, HashEncodedImage(*png)->hash);
  EXPECT_EQ(HashAndDeriveEncodedImage(*png, {.max_pixels = 1000}).status().code(),
            StatusCode::kResourceExhausted);  // 32 x 32 = 1024 pixels
}

TEST(VisualDerivativeTest, RefusesBadInput) {
  const std::vector<std::uint8_t> junk(100, 0x42);
  EXPECT_FALSE(HashAndDeriveEncodedImage(junk).ok());
  EXPECT_EQ(MakeVisualDerivative({nullptr, 4, 4, 12, PixelFormat::kRgb8}).status().code(),
            StatusCode::kInvalidInput);
  const std::vector<std::uint8_t> pixels(4 * 4 * 3);
  EXPECT_EQ(MakeVisualDerivative({pixels.data(), 4, 4, 11, PixelFormat::kRgb8}).status().code(),
            StatusCode::kInvalidInput);
}

}  // namespace
}  // namespace hashveil::matcher
