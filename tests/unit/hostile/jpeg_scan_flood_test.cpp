// Progressive JPEGs with absurd scan counts (issue 7). Each scan of a progressive JPEG makes the
// decoder walk every block of the components it covers, so a few bytes per repeated scan buy a
// full pass over the image: thousands of scans turn a small file into minutes of CPU. The
// decoder must stop counting scans long before that.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

#include "hashveil/matcher/pdq_hasher.h"
#include "unit/hostile/decode_modes.h"

namespace hashveil::hostile {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A smooth 768x768 image as a progressive JPEG (libjpeg's default 10-scan script). Small enough
// that the fast mode reads every scan too (it stops after the early scans only when the image is
// at least 1024 px on its shorter side, and then never meets the repeated last scan).
Bytes ProgressiveJpeg() {
  cv::Mat image(768, 768, CV_8UC3);
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      image.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<std::uint8_t>(x / 4),
                                            static_cast<std::uint8_t>(y / 4),
                                            static_cast<std::uint8_t>((x + y) / 8));
    }
  }
  Bytes bytes;
  cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_PROGRESSIVE, 1, cv::IMWRITE_JPEG_QUALITY, 50});
  return bytes;
}

// Where the entropy-coded data that starts at `at` ends: the next marker other than a stuffed
// 0xFF00 or a restart marker.
std::size_t EntropyDataEnd(const Bytes& b, std::size_t at) {
  for (; at + 1 < b.size(); ++at) {
    if (b[at] == 0xFF && b[at + 1] != 0x00 && !(b[at + 1] >= 0xD0 && b[at + 1] <= 0xD7)) return at;
  }
  return b.size();
}

// The file with its last scan (with the tables defined just before it) repeated `copies` times
// more before the end-of-image marker.
Bytes WithLastScanRepeated(const Bytes& jpeg, int copies) {
  std::size_t at = 2;
  std::size_t previous_scan_end = 2;
  std::size_t last_scan_start = 0;
  std::size_t last_scan_end = 0;
  while (at + 4 <= jpeg.size() && jpeg[at] == 0xFF) {
    const std::uint8_t marker = jpeg[at + 1];
    if (marker == 0xD9) break;
    const std::size_t length = std::size_t{jpeg[at + 2]} << 8 | jpeg[at + 3];
    at += 2 + length;
    if (marker == 0xDA) {
      last_scan_start = previous_scan_end;
      at = EntropyDataEnd(jpeg, at);
      last_scan_end = previous_scan_end = at;
    }
  }
  EXPECT_GT(last_scan_end, last_scan_start);
  Bytes flooded(jpeg.begin(), jpeg.begin() + static_cast<std::ptrdiff_t>(last_scan_end));
  for (int i = 0; i < copies; ++i) {
    flooded.insert(flooded.end(), jpeg.begin() + static_cast<std::ptrdiff_t>(last_scan_start),
                   jpeg.begin() + static_cast<std::ptrdiff_t>(last_scan_end));
  }
  flooded.insert(flooded.end(), {0xFF, 0xD9});
  return flooded;
}

class JpegScanFloodTest : public ::testing::TestWithParam<matcher::DecodeMode> {};

TEST_P(JpegScanFloodTest, AnOrdinaryProgressiveJpegStillHashes) {
  const auto result = matcher::HashEncodedImage(ProgressiveJpeg(), {.mode = GetParam()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
}

TEST_P(JpegScanFloodTest, ThousandsOfScansAreRefusedQuickly) {
  const Bytes flooded = WithLastScanRepeated(ProgressiveJpeg(), 20000);
  const auto start = std::chrono::steady_clock::now();
  const auto result = matcher::HashEncodedImage(flooded, {.mode = GetParam()});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted) << result.status().ToString();
  // Generous for a sanitizer build on a loaded machine; without the limit this takes minutes.
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

INSTANTIATE_TEST_SUITE_P(BothDecodeModes, JpegScanFloodTest, kBothDecodeModes, DecodeModeName);

}  // namespace
}  // namespace hashveil::hostile
