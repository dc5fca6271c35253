// The per-thread working memory of the hashing path (hashing_scratch.h): images hashed one after
// another on one thread, reusing its buffers in any order of sizes, give exactly what a fresh
// thread gives; what a thread keeps between calls stays within kMaxRetainedHashingBytes.
#include "hashing_scratch.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "hashveil/common/secret_file.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "support/test_paths.h"
#include "synthetic_photo.h"

namespace hashveil::matcher {
namespace {

std::vector<std::uint8_t> Jpeg(const cv::Mat& image, bool progressive) {
  std::vector<std::uint8_t> bytes;
  cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 90, cv::IMWRITE_JPEG_PROGRESSIVE, progressive ? 1 : 0});
  return bytes;
}

struct Input {
  std::string name;
  std::vector<std::uint8_t> bytes;
};

// Sizes from below the squash to 12 MP, baseline, progressive (our early-scan reader
// at 1/2 and 1/4 and 1/8-from-1/2 layouts) and PNG, with the huge ones followed by small ones.
std::vector<Input> Inputs() {
  std::vector<Input> inputs;
  std::uint32_t seed = 1;
  for (const auto& [width, height] : std::vector<std::pair<int, int>>{
           {4000, 3000}, {1600, 1200}, {64, 64}, {1600, 900}, {300, 200}, {4224, 3168}, {700, 500},
           {2400, 1600}, {1200, 1600}, {30, 20}, {1100, 1024}, {4, 300}}) {
    const cv::Mat photo = SyntheticPhoto(width, height, seed++);
    const std::string size = std::to_string(width) + "x" + std::to_string(height);
    inputs.push_back({size + " baseline", Jpeg(photo, false)});
    inputs.push_back({size + " progressive", Jpeg(photo, true)});
    if (width * height <= 2'000'000) {
      std::vector<std::uint8_t> png;
      cv::imencode(".png", photo, png);
      inputs.push_back({size + " png", std::move(png)});
    }
  }
  return inputs;
}

struct Outcome {
  bool ok = false;
  PdqResult pdq;
  VisualDerivative derivative;
};

Outcome HashOnce(const Input& input, DecodeMode mode) {
  Outcome outcome;
  auto hashed = HashAndDeriveEncodedImage(input.bytes, {.mode = mode, .dihedral = true});
  if (!hashed.ok()) return outcome;
  outcome.ok = true;
  outcome.pdq = hashed->pdq;
  outcome.derivative = std::move(hashed->derivative);
  // The hash-only path reuses the same buffers: the same result.
  const auto hash_only = HashEncodedImage(input.bytes, {.mode = mode, .dihedral = true});
  EXPECT_TRUE(hash_only.ok()) << input.name;
  if (hash_only.ok()) {
    EXPECT_EQ(hash_only->hash, hashed->pdq.hash) << input.name;
    EXPECT_EQ(hash_only->margins, hashed->pdq.margins) << input.name;
  }
  return outcome;
}

// In a thread of its own: a scratch nobody used before.
Outcome HashInFreshThread(const Input& input, DecodeMode mode) {
  Outcome outcome;
  std::thread([&] { outcome = HashOnce(input, mode); }).join();
  return outcome;
}

void ExpectSame(const Outcome& reused, const Outcome& fresh, const std::string& what) {
  ASSERT_EQ(reused.ok, fresh.ok) << what;
  if (!fresh.ok) return;
  EXPECT_EQ(reused.pdq.hash, fresh.pdq.hash) << what;
  EXPECT_EQ(reused.pdq.quality, fresh.pdq.quality) << what;
  EXPECT_EQ(reused.pdq.margins, fresh.pdq.margins) << what;
  EXPECT_EQ(reused.pdq.dihedral, fresh.pdq.dihedral) << what;
  EXPECT_TRUE(std::equal(reused.derivative.pixels.data(), reused.derivative.pixels.data() + kVisualDerivativeBytes,
                         fresh.derivative.pixels.data()))
      << what;
}

TEST(HashingScratchTest, ReusedBuffersGiveWhatFreshOnesGiveInAnyOrderOfSizes) {
  const std::vector<Input> inputs = Inputs();
  for (const DecodeMode mode : {DecodeMode::kFast, DecodeMode::kReference}) {
    const char* mode_name = mode == DecodeMode::kFast ? "fast" : "reference";
    // Every image in a fresh thread, then all of them one after another in this one, then in
    // reverse order (so each follows both a larger and a smaller one).
    std::vector<Outcome> fresh;
    for (const Input& input : inputs) fresh.push_back(HashInFreshThread(input, mode));
    for (std::size_t n = 0; n < inputs.size(); ++n) {
      ExpectSame(HashOnce(inputs[n], mode), fresh[n], inputs[n].name + " " + mode_name);
      EXPECT_LE(ThreadHashingMemoryBytes(), kMaxRetainedHashingBytes) << inputs[n].name;
    }
    for (std::size_t n = inputs.size(); n-- > 0;) {
      ExpectSame(HashOnce(inputs[n], mode), fresh[n], inputs[n].name + " " + mode_name + " reversed");
    }
  }
}

TEST(HashingScratchTest, RealPhotosHashTheSameAfterAnyOtherImage) {
  HV_REQUIRE_PINNED_PHOTOS(photos);
  std::vector<Input> inputs;
  for (const auto& path : photos) inputs.push_back({path.filename().string(), *ReadFileBytes(path, 1 << 30)});
  // Fast mode (the device's); reference mode's reuse is covered by the synthetic set.
  for (std::size_t n = 0; n < inputs.size(); ++n) {
    ExpectSame(HashOnce(inputs[n], DecodeMode::kFast), HashInFreshThread(inputs[n], DecodeMode::kFast),
               inputs[n].name);
  }
}

TEST(HashingScratchTest, PixelsHashTheSameWithReusedBuffers) {
  for (const auto& [width, height] : std::vector<std::pair<int, int>>{{2000, 1500}, {64, 64}, {513, 700}, {40, 30}}) {
    const cv::Mat photo = SyntheticPhoto(width, height, 7);
    const ImageView view{photo.data, photo.cols, photo.rows, photo.step[0], PixelFormat::kBgr8};
    PdqResult fresh;
    std::thread([&] { fresh = *HashPixels(view); }).join();
    const PdqResult reused = *HashPixels(view);
    EXPECT_EQ(reused.hash, fresh.hash) << width << "x" << height;
    EXPECT_EQ(reused.margins, fresh.margins) << width << "x" << height;
  }
}

TEST(HashingScratchTest, KeepsBuffersForTheNextImageWithinTheBound) {
  std::thread([] {
    EXPECT_EQ(ThreadHashingMemoryBytes(), 0u);
    const std::vector<std::uint8_t> messenger = Jpeg(SyntheticPhoto(1600, 1200, 3), false);
    ASSERT_TRUE(HashEncodedImage(messenger).ok());
    // The 512x512 float plane, the filter's second plane and one row of the image decoded at 1/2
    // (squashed row by row as it is decoded: the 800x600 plane is never stored).
    const std::size_t kept = ThreadHashingMemoryBytes();
    EXPECT_GE(kept, 800u + 2 * 512 * 512 * sizeof(float));
    EXPECT_LT(kept, 800u * 600 + 2 * 512 * 512 * sizeof(float));
    EXPECT_LE(kept, kMaxRetainedHashingBytes);
    ASSERT_TRUE(HashEncodedImage(messenger).ok());
    EXPECT_EQ(ThreadHashingMemoryBytes(), kept);  // reused, not grown

    // A 36 MP frame hashed unsquashed needs 2 x 144 MB of float planes: none is kept.
    const cv::Mat huge(6000, 6000, CV_8UC1, cv::Scalar(90));
    ASSERT_TRUE(HashPixels({huge.data, huge.cols, huge.rows, huge.step[0], PixelFormat::kGray8}).ok());
    EXPECT_LE(ThreadHashingMemoryBytes(), kMaxRetainedHashingBytes);
    // A 24 MP progressive JPEG (read at 1/2: a 3000x2000 plane): bounded as well.
    ASSERT_TRUE(HashEncodedImage(Jpeg(SyntheticPhoto(6000, 4000, 4), true)).ok());
    EXPECT_LE(ThreadHashingMemoryBytes(), kMaxRetainedHashingBytes);

    ReleaseThreadHashingMemory();
    EXPECT_EQ(ThreadHashingMemoryBytes(), 0u);
    ASSERT_TRUE(HashEncodedImage(messenger).ok());
    EXPECT_EQ(ThreadHashingMemoryBytes(), kept);
  }).join();
}

TEST(HashingScratchTest, BoundReleasesTheLargestBuffersFirst) {
  HashingScratch scratch;
  scratch.pixels.resize(5 << 20);
  scratch.luma.resize(1 << 18);      // 1 MiB
  scratch.filtered.resize(1 << 19);  // 2 MiB
  scratch.dc.resize(1 << 10);
  const std::size_t all = scratch.retained_bytes();
  EXPECT_GE(all, (8u << 20) + 2048);
  scratch.Bound(all);
  EXPECT_EQ(scratch.retained_bytes(), all);
  scratch.Bound(4 << 20);  // the 5 MiB plane goes; 3 MiB and the DC remain
  EXPECT_EQ(scratch.pixels.capacity(), 0u);
  EXPECT_GE(scratch.luma.capacity(), 1u << 18);
  EXPECT_GE(scratch.filtered.capacity(), 1u << 19);
  EXPECT_GE(scratch.dc.capacity(), 1u << 10);
  scratch.Bound((1 << 20) + 4096);  // then the 2 MiB one; 1 MiB and the DC are within the bound
  EXPECT_EQ(scratch.filtered.capacity(), 0u);
  EXPECT_GE(scratch.luma.capacity(), 1u << 18);
  EXPECT_LE(scratch.retained_bytes(), (1u << 20) + 4096);
  scratch.Release();
  EXPECT_EQ(scratch.retained_bytes(), 0u);
}

TEST(HashingScratchTest, RefitReusesStorageAndZeroesOnRequest) {
  std::vector<std::uint8_t> buffer(1000, 7);
  const std::uint8_t* storage = buffer.data();
  Refit(buffer, 500, /*zero=*/true);
  EXPECT_EQ(buffer.data(), storage);
  EXPECT_EQ(buffer, std::vector<std::uint8_t>(500, 0));
  std::fill(buffer.begin(), buffer.end(), 9);
  Refit(buffer, 1000, /*zero=*/false);
  EXPECT_EQ(buffer.data(), storage);
  EXPECT_EQ(buffer[0], 9);    // kept: the caller writes every element
  EXPECT_EQ(buffer[999], 0);  // grown: value-initialised
  std::vector<std::uint8_t> taken = TakeBuffer(buffer, 2000, /*zero=*/true);
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.capacity(), 0u);
  EXPECT_EQ(taken, std::vector<std::uint8_t>(2000, 0));
}

}  // namespace
}  // namespace hashveil::matcher
