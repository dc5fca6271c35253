// The small grey derivative a voucher carries for a reviewer (docs/design.md section 5).
#include "hashveil/matcher/visual_derivative.h"

#include "hashveil/matcher/pdq_hasher.h"

#include <gtest/gtest.h>

#include <vector>

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
