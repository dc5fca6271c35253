// Decompression bombs (issue 7): tiny files whose headers claim 60000x60000 pixels are refused
// from the header alone, before any decoder allocates, in under 100 ms, in both decode modes.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <string>
#include <vector>

#include "hashveil/matcher/pdq_hasher.h"
#include "unit/hostile/decode_modes.h"
#include "unit/hostile/bomb_images.h"

namespace hashveil::hostile {
namespace {

constexpr std::uint32_t kBombSide = 60000;
constexpr auto kMaxRefusalTime = std::chrono::milliseconds(100);
// A decoder that believed any of these headers would allocate gigabytes; the budget leaves
// room for allocator and sanitizer noise only. ctest runs each test in its own process, so the
// peak RSS at the start of a test is the process's baseline.
constexpr long kMaxRssGrowthKb = 32 * 1024;

long PeakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

struct Bomb {
  std::string name;
  Bytes bytes;
};

std::vector<Bomb> Bombs() {
  return {
      {"png", PngBomb(kBombSide, kBombSide)},
      {"jpeg-baseline", JpegBomb(kBombSide, kBombSide, 0xC0)},
      {"jpeg-progressive", JpegBomb(kBombSide, kBombSide, 0xC2)},
      {"webp-vp8x", WebpVp8xBomb(kBombSide, kBombSide)},
      {"webp-vp8l", WebpVp8lBomb()},
      {"bmp", BmpBomb(kBombSide, kBombSide)},
      {"tiff", TiffBomb(kBombSide, kBombSide)},
  };
}

class DecompressionBombTest : public ::testing::TestWithParam<matcher::DecodeMode> {};

TEST_P(DecompressionBombTest, RefusedFromTheHeaderQuicklyWithoutALargeAllocation) {
  const long rss_before = PeakRssKb();
  for (const Bomb& bomb : Bombs()) {
    SCOPED_TRACE(bomb.name);
    ASSERT_LT(bomb.bytes.size(), 100u);
    const auto start = std::chrono::steady_clock::now();
    const auto result = matcher::HashEncodedImage(bomb.bytes, {.mode = GetParam()});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted) << result.status().ToString();
    EXPECT_LT(elapsed, kMaxRefusalTime);
  }
  EXPECT_LT(PeakRssKb() - rss_before, kMaxRssGrowthKb);
}

// The same headers with a budget large enough to let them through reach the decoders, which
// must then fail cleanly on the missing data rather than crash. (Only the small sizes: the
// budget exists because the large ones would allocate for real.)
TEST_P(DecompressionBombTest, HeadersWithinTheBudgetFailCleanlyOnMissingData) {
  const std::vector<Bomb> small = {
      {"png", PngBomb(64, 64)},         {"jpeg", JpegBomb(64, 64)},
      {"webp-vp8x", WebpVp8xBomb(64, 64)}, {"bmp", BmpBomb(64, 64)},
      {"tiff", TiffBomb(64, 64)},
  };
  for (const Bomb& bomb : small) {
    SCOPED_TRACE(bomb.name);
    const auto result = matcher::HashEncodedImage(bomb.bytes, {.mode = GetParam()});
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.status().code(), StatusCode::kInternal) << result.status().ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(BothDecodeModes, DecompressionBombTest, kBothDecodeModes, DecodeModeName);

}  // namespace
}  // namespace hashveil::hostile
