#include "hashveil/matcher/pdq_hasher.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <random>

#include "support/test_paths.h"
#include "synthetic_photo.h"

namespace hashveil::matcher {
namespace {

std::vector<std::uint8_t> Encode(const std::string& ext, const cv::Mat& image, const std::vector<int>& params = {}) {
  std::vector<std::uint8_t> bytes;
  cv::imencode(ext, image, bytes, params);
  return bytes;
}

ImageView ViewOf(const cv::Mat& image, PixelFormat format) {
  return {image.data, image.cols, image.rows, image.step[0], format};
}

void ExpectSameResult(const PdqResult& a, const PdqResult& b) {
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_EQ(a.quality, b.quality);
  EXPECT_EQ(a.margins, b.margins);
}

TEST(PdqHasherTest, SamePixelsGiveBitIdenticalResultsOnEveryPath) {
  const cv::Mat bgr = SyntheticPhoto(400, 300, 1);  // under 512: no squash
  const Result<PdqResult> from_view = HashPixels(ViewOf(bgr, PixelFormat::kBgr8));
  ASSERT_TRUE(from_view.ok());
  EXPECT_GE(from_view->quality, 50);
  cv::Mat rgb, rgba;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  cv::cvtColor(bgr, rgba, cv::COLOR_BGR2RGBA);
  ExpectSameResult(*HashPixels(ViewOf(rgb, PixelFormat::kRgb8)), *from_view);
  ExpectSameResult(*HashPixels(ViewOf(rgba, PixelFormat::kRgba8)), *from_view);  // opaque
  // A padded stride reads the same pixels.
  cv::Mat padded(bgr.rows, bgr.cols + 7, CV_8UC3);
  bgr.copyTo(padded(cv::Rect(0, 0, bgr.cols, bgr.rows)));
  ImageView view = ViewOf(padded, PixelFormat::kBgr8);
  view.width = bgr.cols;
  ExpectSameResult(*HashPixels(view), *from_view);
  // Lossless files decode to the same pixels in both modes.
  const std::vector<std::uint8_t> png = Encode(".png", bgr);
  for (DecodeMode mode : {DecodeMode::kReference, DecodeMode::kFast}) {
    ExpectSameResult(*HashEncodedImage(png, {.mode = mode}), *from_view);
  }
  cv::Mat wide;
  bgr.convertTo(wide, CV_16U, 257.0);
  ExpectSameResult(*HashEncodedImage(Encode(".png", wide)), *from_view);  // 16-bit samples
  ExpectSameResult(*HashEncodedImage(Encode(".bmp", bgr)), *from_view);
  ExpectSameResult(*HashEncodedImage(Encode(".tiff", bgr)), *from_view);
  ExpectSameResult(*HashEncodedImage(Encode(".webp", bgr, {cv::IMWRITE_WEBP_QUALITY, 101})), *from_view);
}

TEST(PdqHasherTest, AlphaIsFlattenedOverWhite) {
  cv::Mat rgba(64, 64, CV_8UC4, cv::Scalar(10, 200, 30, 0));  // fully transparent
  const Result<PdqResult> transparent = HashPixels(ViewOf(rgba, PixelFormat::kRgba8));
  cv::Mat white(64, 64, CV_8UC1, cv::Scalar(255));
  ExpectSameResult(*transparent, *HashPixels(ViewOf(white, PixelFormat::kGray8)));
  EXPECT_EQ(transparent->quality, 0);
}

TEST(PdqHasherTest, TinyImagesHashToZeroWithQualityZero) {
  for (int side : {1, 4}) {
    const cv::Mat image = SyntheticPhoto(side, side, 2);
    for (const auto& bytes : {Encode(".png", image), Encode(".jpg", image)}) {
      const Result<PdqResult> result = HashEncodedImage(bytes, {.dihedral = true});
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      EXPECT_EQ(result->hash, PdqHash{});
      EXPECT_EQ(result->quality, 0);
      EXPECT_EQ((*result->dihedral)[3], PdqHash{});
    }
  }
  EXPECT_EQ(HashPixels({}).status().ToString(), "ok");  // 0x0: nothing to hash, no error
}

TEST(PdqHasherTest, RejectsBadViews) {
  const std::uint8_t pixel[3] = {};
  EXPECT_EQ(HashPixels({nullptr, 10, 10, 30, PixelFormat::kRgb8}).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(HashPixels({pixel, 10, 10, 29, PixelFormat::kRgb8}).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(HashPixels({pixel, -1, 10, 30, PixelFormat::kRgb8}).status().code(), StatusCode::kInvalidInput);
}

// A PNG signature and IHDR claiming width x height, valid CRC, and no image data.
std::vector<std::uint8_t> PngClaiming(std::uint32_t width, std::uint32_t height) {
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  for (std::uint32_t v : {width, height}) {
    for (int s = 24; s >= 0; s -= 8) png.push_back(static_cast<std::uint8_t>(v >> s));
  }
  for (std::uint8_t b : {8, 2, 0, 0, 0}) png.push_back(b);  // 8-bit RGB
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t n = 12; n < png.size(); ++n) {
    crc ^= png[n];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  crc ^= 0xFFFFFFFFu;
  for (int s = 24; s >= 0; s -= 8) png.push_back(static_cast<std::uint8_t>(crc >> s));
  return png;
}

TEST(PdqHasherTest, BadInputGivesClearErrors) {
  EXPECT_EQ(HashEncodedImage({}).status().code(), StatusCode::kInvalidInput);
  std::vector<std::uint8_t> noise(5000);
  std::mt19937 rng(3);
  for (auto& b : noise) b = static_cast<std::uint8_t>(rng());
  noise[0] = 0;  // no accidental magic
  EXPECT_EQ(HashEncodedImage(noise).status().code(), StatusCode::kUnsupported);
  const std::string gif = "GIF89a\x01\x00\x01\x00";
  EXPECT_EQ(HashEncodedImage({reinterpret_cast<const std::uint8_t*>(gif.data()), gif.size()}).status().code(),
            StatusCode::kUnsupported);

  const cv::Mat photo = SyntheticPhoto(300, 200, 4);
  for (const char* ext : {".jpg", ".png"}) {
    std::vector<std::uint8_t> truncated = Encode(ext, photo);
    truncated.resize(truncated.size() / 2);
    for (DecodeMode mode : {DecodeMode::kReference, DecodeMode::kFast}) {
      const Status status = HashEncodedImage(truncated, {.mode = mode}).status();
      EXPECT_EQ(status.code(), StatusCode::kCorrupt) << ext << ": " << status.ToString();
    }
    std::vector<std::uint8_t> header_only = Encode(ext, photo);
    header_only.resize(20);
    EXPECT_EQ(HashEncodedImage(header_only).status().code(), StatusCode::kCorrupt) << ext;
  }
  // Refused from the header, before any decoder allocates 3.6 G pixels.
  const Status huge = HashEncodedImage(PngClaiming(60000, 60000)).status();
  EXPECT_EQ(huge.code(), StatusCode::kResourceExhausted) << huge.ToString();
  // The cap is configurable.
  const std::vector<std::uint8_t> png = Encode(".png", photo);
  EXPECT_EQ(HashEncodedImage(png, {.max_pixels = 300 * 200 - 1}).status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(HashEncodedImage(png, {.max_pixels = 300 * 200}).ok());
  EXPECT_EQ(HashEncodedImage(Encode(".jpg", photo), {.max_pixels = 1000}).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(PdqHasherTest, FilesAreReadBoundedAndErrorsNeverNameThePath) {
  const Result<PdqResult> missing = HashImageFile("/nonexistent/secret-name.jpg");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message().find("secret-name"), std::string::npos);
}

TEST(PdqHasherTest, FastModeOnProgressiveJpegStaysCloseToReferenceMode) {
  // Shorter sides 2200, 2100 and 1100: baseline at 1/4, 1/4 and 1/2; progressive from the early
  // scans at 1/2.
  for (const cv::Size size : {cv::Size(2400, 2200), cv::Size(2300, 2100), cv::Size(1100, 1300)}) {
    const cv::Mat photo = SyntheticPhoto(size.width, size.height, 5);
    for (bool progressive : {false, true}) {
      const auto jpeg = Encode(".jpg", photo, {cv::IMWRITE_JPEG_QUALITY, 90, cv::IMWRITE_JPEG_PROGRESSIVE, progressive});
      const Result<PdqResult> reference = HashEncodedImage(jpeg, {.mode = DecodeMode::kReference, .dihedral = true});
      const Result<PdqResult> fast = HashEncodedImage(jpeg, {.mode = DecodeMode::kFast, .dihedral = true});
      ASSERT_TRUE(reference.ok() && fast.ok());
      EXPECT_GE(reference->quality, 80);
      for (int v = 0; v < kDihedralCount; ++v) {
        EXPECT_LE(HammingDistance((*fast->dihedral)[v], (*reference->dihedral)[v]), 10)
            << size << " " << progressive << " " << v;
      }
    }
  }
}

TEST(PdqHasherTest, FastModeOnRealPhotosStaysCloseToReferenceMode) {
  HV_REQUIRE_PINNED_PHOTOS(photos);
  int worst = 0;
  for (const auto& photo : photos) {
    const Result<PdqResult> reference = HashImageFile(photo, {.mode = DecodeMode::kReference});
    const Result<PdqResult> fast = HashImageFile(photo, {.mode = DecodeMode::kFast});
    ASSERT_TRUE(reference.ok() && fast.ok()) << photo.filename();
    if (reference->quality < 80) continue;
    const int distance = HammingDistance(fast->hash, reference->hash);
    EXPECT_LE(distance, 10) << photo.filename();
    worst = std::max(worst, distance);
  }
  std::printf("fast vs reference mode on %zu real photos: worst distance %d\n", photos.size(), worst);
}

}  // namespace
}  // namespace hashveil::matcher
