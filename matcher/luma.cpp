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

PlaneSize SquashedSize(int rows, int cols) {
  const bool squashed = rows > kReferenceSquash || cols > kReferenceSquash;
  return squashed ? PlaneSize{kReferenceSquash, kReferenceSquash} : PlaneSize{rows, cols};
}

namespace {

// One row of the squash in one format: with the format known at compile time the per-pixel
// conversion is a few instructions, not a switch.
template <PixelFormat kFormat>
void SampleRowAs(const std::uint8_t* row, const std::vector<int>& cols, float* out) {
  constexpr std::size_t kBytes = kFormat == PixelFormat::kGray8   ? 1
                                 : kFormat == PixelFormat::kRgba8 ? 4
                                                                  : 3;
  for (const int j : cols) *out++ = PixelLuma(row + static_cast<std::size_t>(j) * kBytes, kFormat);
}

void SampleRow(const std::uint8_t* row, PixelFormat format, const std::vector<int>& cols,
               float* out) {
  switch (format) {
    case PixelFormat::kGray8: return SampleRowAs<PixelFormat::kGray8>(row, cols, out);
    case PixelFormat::kRgb8: return SampleRowAs<PixelFormat::kRgb8>(row, cols, out);
    case PixelFormat::kBgr8: return SampleRowAs<PixelFormat::kBgr8>(row, cols, out);
    case PixelFormat::kRgba8: return SampleRowAs<PixelFormat::kRgba8>(row, cols, out);
  }
}

// Every element is written by the caller.
LumaPlane NewPlane(int rows, int cols, HashingScratch* scratch) {
  const std::size_t size = static_cast<std::size_t>(rows) * cols;
  return {rows, cols,
          scratch ? TakeBuffer(scratch->luma, size, /*zero=*/false) : std::vector<float>(size)};
}

}  // namespace

LumaPlane ToLuma(const ImageView& image, int out_rows, int out_cols, HashingScratch* scratch) {
  LumaPlane plane = NewPlane(out_rows, out_cols, scratch);
  std::vector<int> local_rows, local_cols;
  std::vector<int>& rows = scratch ? scratch->source_rows : local_rows;
  std::vector<int>& cols = scratch ? scratch->source_cols : local_cols;
  SourceIndices(image.height, out_rows, rows);
  SourceIndices(image.width, out_cols, cols);
  for (int i = 0; i < out_rows; ++i) {
    SampleRow(image.data + static_cast<std::size_t>(rows[i]) * image.stride, image.format, cols,
              plane.values.data() + static_cast<std::size_t>(i) * out_cols);
  }
  return plane;
}

void RowSquash::Start(int width, int height, PixelFormat format) {
  const PlaneSize size = SquashedSize(height, width);
  plane_ = NewPlane(size.rows, size.cols, scratch_);
  format_ = format;
  height_ = height;
  next_source_ = next_out_ = 0;
  SourceIndices(height, size.rows, rows_);
  SourceIndices(width, size.cols, cols_);
}

void RowSquash::AddRow(const std::uint8_t* pixels) {
  // Plane row i reads source row rows_[i], which never decreases with i (a row is read by
  // several plane rows when the squash stretches the image, by none when it shrinks it).
  for (; next_out_ < plane_.rows && rows_[next_out_] == next_source_; ++next_out_) {
    SampleRow(pixels, format_, cols_,
              plane_.values.data() + static_cast<std::size_t>(next_out_) * plane_.cols);
  }
  ++next_source_;
}

}  // namespace hashveil::matcher
