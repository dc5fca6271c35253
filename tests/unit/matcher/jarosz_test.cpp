// The Jarosz downsample (jarosz.h) against the reference's algorithm written out plainly
// (ThreatExchange pdq/cpp downscaling.cpp: box1DFloat along every row, then every column, twice,
// then decimateFloat): bit-identical on every plane size, with and without reused scratch.
#include "jarosz.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace hashveil::matcher {
namespace {

void Box1D(const float* in, float* out, int length, int stride, int window) {
  const int half = (window + 2) / 2;
  int li = 0, ri = 0, oi = 0;
  float sum = 0.0f;
  int count = 0;
  for (int i = 0; i < half - 1; i++, ri += stride) {
    sum += in[ri];
    count++;
  }
  for (int i = 0; i < window - half + 1; i++, ri += stride, oi += stride) {
    sum += in[ri];
    count++;
    out[oi] = sum / count;
  }
  for (int i = 0; i < length - window; i++, li += stride, ri += stride, oi += stride) {
    sum += in[ri];
    sum -= in[li];
    out[oi] = sum / count;
  }
  for (int i = 0; i < half - 1; i++, li += stride, oi += stride) {
    sum -= in[li];
    count--;
    out[oi] = sum / count;
  }
}

Grid64 ReferenceDownsample(std::vector<float> a, int rows, int cols) {
  std::vector<float> b(a.size());
  const int row_window = (cols + 127) / 128, col_window = (rows + 127) / 128;
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < rows; ++i) Box1D(&a[i * cols], &b[i * cols], cols, 1, row_window);
    for (int j = 0; j < cols; ++j) Box1D(&b[j], &a[j], rows, cols, col_window);
  }
  Grid64 grid;
  for (int i = 0; i < 64; ++i) {
    const int ini = static_cast<int>(((i + 0.5) * rows) / 64);
    for (int j = 0; j < 64; ++j) {
      const int inj = static_cast<int>(((j + 0.5) * cols) / 64);
      grid[i * 64 + j] = a[ini * cols + inj];
    }
  }
  return grid;
}

// Luma-like values: bytes weighted as the luma sum makes them, so sums round as real ones do.
LumaPlane RandomPlane(int rows, int cols, std::mt19937& random) {
  std::uniform_int_distribution<int> byte(0, 255);
  LumaPlane plane{rows, cols, std::vector<float>(static_cast<std::size_t>(rows) * cols)};
  for (float& v : plane.values)
    v = 0.299f * byte(random) + 0.587f * byte(random) + 0.114f * byte(random);
  return plane;
}

void ExpectBitIdentical(const Grid64& got, const Grid64& want, const std::string& label) {
  EXPECT_EQ(std::memcmp(got.data(), want.data(), sizeof got), 0) << label;
}

TEST(JaroszTest, BitIdenticalToTheReferenceOnEveryShape) {
  std::mt19937 random(7);
  HashingScratch scratch;
  // Under 64 on a side (repeated samples), odd sizes, a last row tile short of rows, windows of
  // 1 to 16, the squash's 512x512 and larger planes as HashPixels passes them.
  const std::vector<std::pair<int, int>> shapes = {{1, 1},     {5, 5},      {5, 300},   {300, 5},
                                                   {20, 30},   {63, 65},    {64, 100},  {100, 64},
                                                   {129, 257}, {200, 333},  {511, 513}, {512, 512},
                                                   {517, 389}, {1000, 700}, {2048, 9},  {9, 2048}};
  for (const auto& [rows, cols] : shapes) {
    const LumaPlane plane = RandomPlane(rows, cols, random);
    const Grid64 want = ReferenceDownsample(plane.values, rows, cols);
    const std::string label = std::to_string(rows) + "x" + std::to_string(cols);
    ExpectBitIdentical(JaroszDownsample(plane), want, label);
    ExpectBitIdentical(JaroszDownsample(plane, &scratch), want, label + " with reused scratch");
  }
}

}  // namespace
}  // namespace hashveil::matcher
