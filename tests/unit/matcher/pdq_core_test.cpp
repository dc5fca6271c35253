#include "pdq_core.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numbers>
#include <numeric>
#include <random>

namespace hashveil::matcher {
namespace {

Grid64 RandomGrid(std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(0.0f, 255.0f);
  Grid64 grid;
  for (float& v : grid) v = dist(rng);
  return grid;
}

TEST(PdqCoreTest, DctMatchesTheDirectDoubleSum) {
  const Grid64 grid = RandomGrid(1);
  const Dct16 dct = Dct64To16(grid);
  for (int u = 0; u < 16; ++u) {
    for (int v = 0; v < 16; ++v) {
      double sum = 0;
      for (int r = 0; r < 64; ++r) {
        for (int c = 0; c < 64; ++c) {
          sum += grid[r * 64 + c] * std::cos(std::numbers::pi / 128 * (u + 1) * (2 * r + 1)) *
                 std::cos(std::numbers::pi / 128 * (v + 1) * (2 * c + 1));
        }
      }
      EXPECT_NEAR(dct[u * 16 + v], sum * 2.0 / 64.0, 2e-3) << u << "," << v;
    }
  }
}

TEST(PdqCoreTest, MedianIsTheLowerOneAndBitsAreStrictlyAbove) {
  Dct16 dct;
  std::iota(dct.begin(), dct.end(), 0.0f);
  std::shuffle(dct.begin(), dct.end(), std::mt19937(2));
  EXPECT_EQ(LowerMedian(dct), 127.0f);
  const PdqHash hash = BitsFromDct(dct);
  EXPECT_EQ(hash.popcount(), 128);  // 128..255 are above 127
  const BitMargins margins = MarginsFromDct(dct);
  for (int n = 0; n < 256; ++n) {
    EXPECT_EQ(hash.bit(n), dct[n] > 127.0f);
    EXPECT_EQ(margins[n], std::fabs(dct[n] - 127.0f));
  }
}

TEST(PdqCoreTest, QualityCountsQuantisedGradients) {
  Grid64 flat;
  flat.fill(128.0f);
  EXPECT_EQ(PdqQuality(flat), 0);
  // One vertical edge 0 -> 255: 64 horizontal pairs of |d| = 100, 6400 / 90 = 71.
  Grid64 edge{};
  for (int r = 0; r < 64; ++r) {
    for (int c = 32; c < 64; ++c) edge[r * 64 + c] = 255.0f;
  }
  EXPECT_EQ(PdqQuality(edge), 71);
  // Steps below 255/100 quantise to zero.
  Grid64 gentle;
  for (int n = 0; n < 64 * 64; ++n) gentle[n] = static_cast<float>(n % 64) * 2.5f;
  EXPECT_EQ(PdqQuality(gentle), 0);
  EXPECT_EQ(PdqQuality(RandomGrid(3)), 100);  // capped
}

// The image transforms the variants stand for: out(r, c) = in(source(r, c)).
using Source = std::function<std::pair<int, int>(int, int)>;

TEST(PdqCoreTest, DihedralVariantsEqualTheDctOfTheTransformedImage) {
  const Grid64 grid = RandomGrid(4);
  const Dct16 dct = Dct64To16(grid);
  const std::pair<Dihedral, Source> cases[] = {
      {Dihedral::kOriginal, [](int r, int c) { return std::pair{r, c}; }},
      {Dihedral::kRotate90, [](int r, int c) { return std::pair{c, 63 - r}; }},
      {Dihedral::kRotate180, [](int r, int c) { return std::pair{63 - r, 63 - c}; }},
      {Dihedral::kRotate270, [](int r, int c) { return std::pair{63 - c, r}; }},
      {Dihedral::kFlipX, [](int r, int c) { return std::pair{63 - r, c}; }},
      {Dihedral::kFlipY, [](int r, int c) { return std::pair{r, 63 - c}; }},
      {Dihedral::kFlipPlus1, [](int r, int c) { return std::pair{c, r}; }},
      {Dihedral::kFlipMinus1, [](int r, int c) { return std::pair{63 - c, 63 - r}; }},
  };
  for (const auto& [variant, source] : cases) {
    Grid64 transformed;
    for (int r = 0; r < 64; ++r) {
      for (int c = 0; c < 64; ++c) {
        const auto [sr, sc] = source(r, c);
        transformed[r * 64 + c] = grid[sr * 64 + sc];
      }
    }
    const Dct16 expected = Dct64To16(transformed);
    const Dct16 got = DihedralDct(dct, variant);
    for (int n = 0; n < 256; ++n) EXPECT_NEAR(got[n], expected[n], 1e-3) << static_cast<int>(variant) << " " << n;
  }
}

TEST(PdqCoreTest, DihedralGroupIdentities) {
  const Dct16 dct = Dct64To16(RandomGrid(5));
  auto apply = [](const Dct16& d, std::initializer_list<Dihedral> steps) {
    Dct16 out = d;
    for (Dihedral s : steps) out = DihedralDct(out, s);
    return out;
  };
  EXPECT_EQ(apply(dct, {Dihedral::kRotate90, Dihedral::kRotate90}), apply(dct, {Dihedral::kRotate180}));
  EXPECT_EQ(apply(dct, {Dihedral::kRotate90, Dihedral::kRotate180}), apply(dct, {Dihedral::kRotate270}));
  EXPECT_EQ(apply(dct, {Dihedral::kRotate90, Dihedral::kRotate270}), dct);
  EXPECT_EQ(apply(dct, {Dihedral::kFlipX, Dihedral::kFlipX}), dct);
  EXPECT_EQ(apply(dct, {Dihedral::kFlipX, Dihedral::kFlipY}), apply(dct, {Dihedral::kRotate180}));
  EXPECT_EQ(apply(dct, {Dihedral::kFlipPlus1, Dihedral::kFlipMinus1}), apply(dct, {Dihedral::kRotate180}));
}

TEST(PdqCoreTest, ResultCarriesDihedralOnlyWhenAsked) {
  const Grid64 grid = RandomGrid(6);
  EXPECT_FALSE(PdqFromGrid(grid, {}).dihedral.has_value());
  const PdqResult result = PdqFromGrid(grid, {.dihedral = true});
  ASSERT_TRUE(result.dihedral.has_value());
  EXPECT_EQ((*result.dihedral)[0], result.hash);
}

}  // namespace
}  // namespace hashveil::matcher
