// Fast mode against reference mode on progressive JPEGs, whose fast decode reads only their early
// scans (at 1/8 the first, DC-only scan; at 1/2 and 1/4 the scans up to luma's lowest AC
// coefficients): the compatibility rule (docs/design.md section 3: within Hamming distance 10 on
// images of quality >= 80) on every real photo, every conformance JPEG, their lossless
// progressive transcodes, and progressive copies resized to 1024-4000 px, which take the
// early-scan decode at 1/2 (our bounded reader; libjpeg's buffered-image mode for files it leaves).
// Reference mode matches the reference CLI exactly on the vectors (pdq_conformance_test), so it
// stands in for the CLI on files the CLI never hashed. Prints the worst distance per set.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "hashveil/common/secret_file.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "jpeg_transcode.h"
#include "support/test_paths.h"

namespace hashveil::matcher {
namespace {

using test_jpeg::Bytes;
using test_jpeg::IsProgressive;
using test_jpeg::TranscodeToProgressive;
using test_jpeg::TranscodeToScanPerComponent;

constexpr int kCompatibleDistance = 10;
constexpr int kCompatibleQuality = 80;

// The worst fast-vs-reference distance over the files checked, each checked against the rule.
class RuleChecker {
 public:
  // Prints each file's distance as well when `verbose`.
  explicit RuleChecker(bool verbose = false) : verbose_(verbose) {}

  void Check(const Bytes& jpeg, const std::string& label) {
    const Result<PdqResult> reference = HashEncodedImage(jpeg, {.mode = DecodeMode::kReference});
    const Result<PdqResult> fast = HashEncodedImage(jpeg, {.mode = DecodeMode::kFast});
    ASSERT_TRUE(reference.ok() && fast.ok()) << label;
    if (reference->quality < kCompatibleQuality) return;
    const int distance = HammingDistance(fast->hash, reference->hash);
    EXPECT_LE(distance, kCompatibleDistance) << label;
    if (verbose_) std::printf("  %s: %d\n", label.c_str(), distance);
    worst_ = std::max(worst_, distance);
    ++checked_;
  }
  void Print(const char* set) const { std::printf("%s: %d files, worst distance %d\n", set, checked_, worst_); }
  int checked() const { return checked_; }

 private:
  bool verbose_;
  int worst_ = 0;
  int checked_ = 0;
};

Bytes ReadBytes(const std::filesystem::path& path) { return *ReadFileBytes(path, std::size_t{1} << 30); }

// A copy (quality 90, 4:2:0; progressive: libjpeg's standard script) resized so that its
// shorter side is `shorter_side`: area-averaged down, or cubic up.
Bytes CopyAt(const cv::Mat& image, int shorter_side, bool progressive = true) {
  const double scale = static_cast<double>(shorter_side) / std::min(image.cols, image.rows);
  const cv::Size size(std::max(shorter_side, static_cast<int>(image.cols * scale + 0.5)),
                      std::max(shorter_side, static_cast<int>(image.rows * scale + 0.5)));
  cv::Mat resized;
  cv::resize(image, resized, size, 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
  Bytes jpeg;
  cv::imencode(".jpg", resized, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90, cv::IMWRITE_JPEG_PROGRESSIVE, progressive ? 1 : 0});
  return jpeg;
}

// Shorter sides whose early scans are decoded at 1/2: 1024 px (the edge: 512 px) to 2047, and
// 2048 to 4095, where 1/2 keeps >= 1024 px.
constexpr int kEarlyScanSides[] = {1024, 1040, 1100, 1400, 1800, 2048, 2100, 2168};
// Sizes where coarser decodes missed the rule on resized sharp copies: the first scan alone (1/8)
// by up to 26 bits from 2176 px, the first AC scan at 1/4 by 12 at 2400 and 2800 (docs/pdq.md).
constexpr int kLargeCopySides[] = {2176, 2200, 2400, 2800, 3200, 4000};

// The real photos named by these prefixes.
std::vector<std::filesystem::path> PhotosNamed(const std::vector<std::filesystem::path>& photos,
                                               std::initializer_list<const char*> prefixes) {
  std::vector<std::filesystem::path> named;
  for (const auto& photo : photos) {
    const std::string name = photo.filename().string();
    if (std::any_of(prefixes.begin(), prefixes.end(), [&](const char* p) { return name.starts_with(p); })) {
      named.push_back(photo);
    }
  }
  return named;
}

TEST(FastDecodeTest, RealPhotosAndTheirProgressiveTranscodes) {
  HV_REQUIRE_PINNED_PHOTOS(photos);
  RuleChecker rule;
  for (const auto& photo : photos) {
    const Bytes bytes = ReadBytes(photo);
    const std::string name = photo.filename().string();
    rule.Check(bytes, name);
    if (!IsProgressive(bytes)) rule.Check(TranscodeToProgressive(bytes), name + " made progressive");
  }
  rule.Print("real photos and progressive transcodes");
}

TEST(FastDecodeTest, ConformanceVectorsMadeProgressive) {
  RuleChecker rule;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::PdqVectorsDir())) {
    const auto ext = entry.path().extension();
    if (ext != ".jpg" && ext != ".jpeg") continue;
    const Bytes bytes = ReadBytes(entry.path());
    rule.Check(IsProgressive(bytes) ? bytes : TranscodeToProgressive(bytes), entry.path().filename().string());
  }
  rule.Print("conformance JPEGs made progressive");
  EXPECT_GT(rule.checked(), 20);
}

// The photos whose fine detail moves furthest under a changed decode scale (analogpattern: a
// pattern; the-mouse and Bridge: sharp edges), and the conformance photo and its sharpened copy.
TEST(FastDecodeTest, ProgressiveCopiesAtEveryEarlyScanScale) {
  HV_REQUIRE_PINNED_PHOTOS(photos);
  const std::filesystem::path vectors = testing::PdqVectorsDir() / "bridge-mods";
  std::vector<std::filesystem::path> sources = {vectors / "aaa-orig.jpg", vectors / "sharpen-a-lot.jpg"};
  for (const auto& photo : PhotosNamed(photos, {"analogpattern", "the-mouse", "Bridge"})) sources.push_back(photo);
  RuleChecker rule;
  for (const auto& source : sources) {
    const cv::Mat image = cv::imread(source.string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(image.empty()) << source.filename();
    for (const int side : kEarlyScanSides) {
      const Bytes copy = CopyAt(image, side);
      ASSERT_TRUE(IsProgressive(copy));
      rule.Check(copy, source.filename().string() + " at " + std::to_string(side) + " px");
    }
  }
  rule.Print("progressive copies at the early-scan scales");
  EXPECT_EQ(rule.checked(), static_cast<int>(sources.size() * std::size(kEarlyScanSides)));
}

// The same sharp photos and life (4:2:2, whose copies moved 12 bits at 1/8) copied at larger sizes.
TEST(FastDecodeTest, LargeProgressiveCopies) {
  HV_REQUIRE_PINNED_PHOTOS(photos);
  const auto sources = PhotosNamed(photos, {"analogpattern", "the-mouse", "Bridge", "life"});
  RuleChecker rule(/*verbose=*/true);
  for (const auto& source : sources) {
    const cv::Mat image = cv::imread(source.string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(image.empty()) << source.filename();
    for (const int side : kLargeCopySides) {
      rule.Check(CopyAt(image, side), source.filename().string() + " at " + std::to_string(side) + " px");
    }
  }
  rule.Print("large progressive copies");
  EXPECT_EQ(rule.checked(), static_cast<int>(sources.size() * std::size(kLargeCopySides)));
}

// A sequential file coded in several scans (one per component) is not progressive: fast mode
// decodes it whole at its reduced scale (it once took the early-scan path and read libjpeg's
// progression state, which sequential files do not have: a crash the fuzzer found). Sizes on
// both sides of each early-scan scale, from a synthetic photo-like image.
TEST(FastDecodeTest, SequentialFilesWithAScanPerComponent) {
  cv::Mat image(600, 900, CV_8UC3);
  cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
  cv::GaussianBlur(image, image, cv::Size(0, 0), 6);
  cv::rectangle(image, {100, 80}, {500, 400}, cv::Scalar(250, 40, 10), cv::FILLED);
  cv::circle(image, {650, 300}, 180, cv::Scalar(20, 200, 240), cv::FILLED);
  RuleChecker rule;
  for (const int side : {900, 1024, 2100, 4100}) {
    const Bytes copy = TranscodeToScanPerComponent(CopyAt(image, side, /*progressive=*/false));
    ASSERT_FALSE(IsProgressive(copy));
    rule.Check(copy, "synthetic scan-per-component copy at " + std::to_string(side) + " px");
  }
  rule.Print("sequential scan-per-component copies");
  EXPECT_EQ(rule.checked(), 4);
}

}  // namespace
}  // namespace hashveil::matcher
