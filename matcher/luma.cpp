#include "luma.h"

#include <cstdint>

namespace hashveil::matcher {
namespace {

// The reference's coefficients, as float constants.
constexpr float kLumaR = 0.299f;
constexpr float kLumaG = 0.587f;
constexpr float kLumaB = 0.114f;

float Luma(float r, float g, float b) { return kLumaR * r + kLumaG * g + kLumaB * b; }

float OverWhite(std::uint8_t channel, std::uint8_t alpha) {
  return (static_cast<float>(channel) * alpha + 255.0f * (255 - alpha)) / 255.0f;
}

float PixelLuma(const std::uint8_t* p, PixelFormat format) {
  switch (format) {
    case PixelFormat::kGray8: return p[0];
    case PixelFormat::kRgb8: return Luma(p[0], p[1], p[2]);
    case PixelFormat::kBgr8: return Luma(p[2], p[1], p[0]);
    case PixelFormat::kRgba8:
      return Luma(OverWhite(p[0], p[3]), OverWhite(p[1], p[3]), OverWhite(p[2], p[3]));
  }
  return 0;
}

// CImg's nearest-neighbour resize: output index x reads input floor(x * in / out).
void SourceIndices(int in, int out, std::vector<int>& indices) {
  Refit(indices, static_cast<std::size_t>(out), /*zero=*/false);
  for (int x = 0; x < out; ++x) {
    indices[x] = static_cast<int>(static_cast<std::uint64_t>(x) * in / out);
  }
}

}  // namespace

int BytesPerPixel(PixelFormat format) {
  switch (format) {
    case PixelFormat::kGray8: return 1;
    case PixelFormat::kRgb8:
    case PixelFormat::kBgr8: return 3;
    case PixelFormat::kRgba8: return 4;
  }
  return 0;
}

// The squash's pixels in one format, row by row: with the format known at compile time the
// per-pixel conversion is a few instructions, not a switch.
template <PixelFormat kFormat>
void SamplePixels(const ImageView& image, const std::vector<int>& rows,
                  const std::vector<int>& cols, float* out) {
  constexpr std::size_t kBytes = kFormat == PixelFormat::kGray8   ? 1
                                 : kFormat == PixelFormat::kRgba8 ? 4
                                                                  : 3;
  for (const int i : rows) {
    const std::uint8_t* row = image.data + static_cast<std::size_t>(i) * image.stride;
    for (const int j : cols)
      *out++ = PixelLuma(row + static_cast<std::size_t>(j) * kBytes, kFormat);
  }
}

LumaPlane ToLuma(const ImageView& image, int out_rows, int out_cols, HashingScratch* scratch) {
  const std::size_t size = static_cast<std::size_t>(out_rows) * out_cols;
  // Every element is written below.
  LumaPlane plane{out_rows, out_cols, scratch ? TakeBuffer(scratch->luma, size, /*zero=*/false) : std::vector<float>(size)};
  std::vector<int> local_rows, local_cols;
  std::vector<int>& rows = scratch ? scratch->source_rows : local_rows;
  std::vector<int>& cols = scratch ? scratch->source_cols : local_cols;
  SourceIndices(image.height, out_rows, rows);
  SourceIndices(image.width, out_cols, cols);
  float* out = plane.values.data();
  switch (image.format) {
    case PixelFormat::kGray8: SamplePixels<PixelFormat::kGray8>(image, rows, cols, out); break;
    case PixelFormat::kRgb8: SamplePixels<PixelFormat::kRgb8>(image, rows, cols, out); break;
    case PixelFormat::kBgr8: SamplePixels<PixelFormat::kBgr8>(image, rows, cols, out); break;
    case PixelFormat::kRgba8: SamplePixels<PixelFormat::kRgba8>(image, rows, cols, out); break;
  }
  return plane;
}

}  // namespace hashveil::matcher
