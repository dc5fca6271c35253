#include "webp_decoder.h"

#include <gtest/gtest.h>
#include <webp/encode.h>

#include <cstring>
#include <opencv2/imgproc.hpp>

#include "decoder_agreement.h"
#include "hashveil/common/secret_file.h"
#include "support/webp_writer.h"
#include "synthetic_photo.h"

namespace hashveil::matcher {
namespace {

constexpr std::uint64_t kBudget = 1u << 26;

// libwebp's encoders on a photo-like image; `alpha` adds a gradient alpha channel.
std::vector<std::uint8_t> EncodeWebp(int width, int height, bool alpha, bool lossless) {
  const cv::Mat bgr = SyntheticPhoto(width, height, 3);
  cv::Mat rgba;
  cv::cvtColor(bgr, rgba, alpha ? cv::COLOR_BGR2RGBA : cv::COLOR_BGR2RGB);
  if (alpha) {
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        rgba.at<cv::Vec4b>(y, x)[3] = static_cast<std::uint8_t>((x * 255) / width);
      }
    }
  }
  std::uint8_t* out = nullptr;
  const int stride = static_cast<int>(rgba.step[0]);
  std::size_t size = 0;
  if (lossless) {
    size = alpha ? WebPEncodeLosslessRGBA(rgba.data, width, height, stride, &out)
                 : WebPEncodeLosslessRGB(rgba.data, width, height, stride, &out);
  } else {
    size = alpha ? WebPEncodeRGBA(rgba.data, width, height, stride, 70, &out)
                 : WebPEncodeRGB(rgba.data, width, height, stride, 70, &out);
  }
  std::vector<std::uint8_t> webp(out, out + size);
  WebPFree(out);
  return webp;
}

TEST(WebpDecoderTest, ConformanceVectorsDecodeAsOpenCvDecodesThem) {
  ExpectVectorsDecodeAsOpenCv(".webp", 5, DecodeWebp);
}

TEST(WebpDecoderTest, LossyAndLosslessWithAndWithoutAlphaDecodeAsOpenCvDecodesThem) {
  for (const bool lossless : {false, true}) {
    for (const bool alpha : {false, true}) {
      for (const auto& [width, height] :
           {std::pair{97, 61}, std::pair{1, 1}, std::pair{640, 480}}) {
        SCOPED_TRACE(std::string(lossless ? "lossless" : "lossy") + (alpha ? " alpha " : " ") +
                     std::to_string(width) + "x" + std::to_string(height));
        const auto webp = EncodeWebp(width, height, alpha, lossless);
        const Result<DecodedImage> image = DecodeWebp(webp, kBudget);
        ExpectSameAsOpenCv(image, webp);
        if (image.ok()) {
          EXPECT_EQ(image->format, alpha ? PixelFormat::kRgba8 : PixelFormat::kRgb8);
        }
        if (width >= 5) ExpectSameHashesAsOpenCv(webp);
      }
    }
  }
}

TEST(WebpDecoderTest, OpenCvsOwnEncodingsDecodeAsOpenCvDecodesThem) {
  const cv::Mat bgr = SyntheticPhoto(300, 200, 5);
  cv::Mat bgra;
  cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
  for (const auto& [image, quality] :
       {std::pair{bgr, 80}, std::pair{bgr, 101}, std::pair{bgra, 80}, std::pair{bgra, 101}}) {
    std::vector<std::uint8_t> webp;
    ASSERT_TRUE(cv::imencode(".webp", image, webp, {cv::IMWRITE_WEBP_QUALITY, quality}));
    ExpectSameAsOpenCv(DecodeWebp(webp, kBudget), webp);
  }
}

TEST(WebpDecoderTest, AnimationIsUnsupported) {
  const auto still = EncodeWebp(32, 24, false, true);
  const auto animated = testing::AnimatedWebp(still, 32, 24);
  const Result<DecodedImage> image = DecodeWebp(animated, kBudget);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(image.status().message(), "animated WebP is not supported");
  EXPECT_FALSE(DecodeWithOpenCv(animated).ok());  // OpenCV 4.6 cannot decode it either
}

TEST(WebpDecoderTest, TruncatedDataIsCorruptAtEveryCut) {
  for (const bool lossless : {false, true}) {
    const auto webp = EncodeWebp(40, 30, true, lossless);
    for (std::size_t cut = 0; cut < webp.size(); ++cut) {
      const Result<DecodedImage> image = DecodeWebp(std::span(webp).first(cut), kBudget);
      ASSERT_FALSE(image.ok()) << "cut at " << cut;
      ASSERT_EQ(image.status().code(), StatusCode::kCorrupt) << "cut at " << cut;
    }
  }
}

TEST(WebpDecoderTest, HeaderOverThePixelBudgetIsRefusedBeforeDecoding) {
  const auto webp = EncodeWebp(2001, 1000, false, false);
  const Result<DecodedImage> image = DecodeWebp(webp, 2'000'000);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kResourceExhausted);
  const auto bomb = ReadFileBytes(
      testing::SourceDir() / "tests/fuzz/corpus/image_hash/bomb-60000x60000-vp8x.webp", 1u << 20);
  ASSERT_TRUE(bomb.ok());
  EXPECT_EQ(DecodeWebp(*bomb, kBudget).status().code(), StatusCode::kResourceExhausted);
}

TEST(WebpDecoderTest, NotAWebpIsMalformed) {
  const std::vector<std::uint8_t> png(64, 0x89);
  EXPECT_EQ(DecodeWebp(png, kBudget).status().message(), "WebP data is malformed");
  auto webp = EncodeWebp(16, 16, false, false);
  std::memset(webp.data() + 20, 0xA5, 16);  // the VP8 frame header
  EXPECT_EQ(DecodeWebp(webp, kBudget).status().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace hashveil::matcher
