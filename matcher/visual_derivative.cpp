#include "hashveil/matcher/visual_derivative.h"

#include <algorithm>
#include <cmath>

#include "hashveil/common/exception_boundary.h"
#include "image_format.h"
#include "png_encoder.h"

namespace hashveil::matcher {
namespace {

// One source pixel's share of one output pixel along an axis.
struct AreaTap {
  int source;
  int output;
  float weight;
};

// Area averaging along one axis: output pixel o covers source interval [o, o + 1) * n_in / n_out,
// and each source pixel counts by the length it overlaps, so sums of weights are 1. Works for
// enlarging too (an image whose longer side is under the derivative's). Taps come in increasing
// source order.
std::vector<AreaTap> AreaTaps(int n_in, int n_out) {
  const double scale = static_cast<double>(n_in) / n_out;
  std::vector<AreaTap> taps;
  for (int o = 0; o < n_out; ++o) {
    const double begin = o * scale, end = (o + 1) * scale;
    const int last = std::min(n_in, static_cast<int>(std::ceil(end)));
    for (int i = static_cast<int>(std::floor(begin)); i < last; ++i) {
      const double overlap = std::min(end, i + 1.0) - std::max(begin, static_cast<double>(i));
      if (overlap > 1e-9) taps.push_back({i, o, static_cast<float>(overlap / scale)});
    }
  }
  return taps;
}

// BT.601 luma in 14-bit fixed point, rounded: the weights of JPEG's and most decoders' grey.
void GreyRow(const ImageView& image, int y, std::vector<std::uint8_t>& grey) {
  const std::uint8_t* row = image.data + static_cast<std::size_t>(y) * image.stride;
  const int channels = BytesPerPixel(image.format);
  if (image.format == PixelFormat::kGray8) {
    std::copy_n(row, image.width, grey.begin());
    return;
  }
  const bool bgr = image.format == PixelFormat::kBgr8;
  for (int x = 0; x < image.width; ++x) {
    const std::uint8_t* p = row + static_cast<std::size_t>(x) * channels;
    const int r = bgr ? p[2] : p[0], g = p[1], b = bgr ? p[0] : p[2];
    grey[x] = static_cast<std::uint8_t>((r * 4899 + g * 9617 + b * 1868 + 8192) >> 14);
  }
}

// Scales the image's grey plane to width x height by area averaging, one source row at a time
// (memory: a row, not a plane), into the derivative's square at (left, top).
void AreaScaleInto(const ImageView& image, int width, int height, int left, int top,
                   VisualDerivative& derivative) {
  const std::vector<AreaTap> across = AreaTaps(image.width, width);
  const std::vector<AreaTap> down = AreaTaps(image.height, height);
  std::vector<std::uint8_t> grey(image.width);
  std::vector<float> reduced(width), sums(static_cast<std::size_t>(width) * height, 0.0f);
  int reduced_row = -1;
  for (const AreaTap& row_tap : down) {
    if (row_tap.source != reduced_row) {
      GreyRow(image, row_tap.source, grey);
      std::fill(reduced.begin(), reduced.end(), 0.0f);
      for (const AreaTap& tap : across) reduced[tap.output] += tap.weight * grey[tap.source];
      reduced_row = row_tap.source;
    }
    float* out = &sums[static_cast<std::size_t>(row_tap.output) * width];
    for (int x = 0; x < width; ++x) out[x] += row_tap.weight * reduced[x];
  }
  const int side = kVisualDerivativeSide;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const float value = std::round(sums[static_cast<std::size_t>(y) * width + x]);
      derivative.pixels.data()[static_cast<std::size_t>(top + y) * side + left + x] =
          static_cast<std::uint8_t>(std::clamp(value, 0.0f, 255.0f));
    }
  }
  // The user's pixels, however reduced, do not outlive the call.
  SecureWipe(grey.data(), grey.size());
  SecureWipe(reduced.data(), reduced.size() * sizeof(float));
  SecureWipe(sums.data(), sums.size() * sizeof(float));
}

}  // namespace

Result<VisualDerivative> MakeVisualDerivative(const ImageView& image) {
  if (image.data == nullptr || image.width <= 0 || image.height <= 0 ||
      image.stride < static_cast<std::size_t>(image.width) * BytesPerPixel(image.format)) {
    return Status::InvalidInput("image view is empty or its stride is too small");
  }
  return StatusFromExceptions("making the visual derivative", [&]() -> Result<VisualDerivative> {
    const int side = kVisualDerivativeSide;
    const int longer = std::max(image.width, image.height);
    const int width =
        std::max(1, static_cast<int>(static_cast<std::int64_t>(image.width) * side / longer));
    const int height =
        std::max(1, static_cast<int>(static_cast<std::int64_t>(image.height) * side / longer));
    VisualDerivative derivative;  // zero: black borders
    AreaScaleInto(image, width, height, (side - width) / 2, (side - height) / 2, derivative);
    return derivative;
  });
}

Result<std::vector<std::uint8_t>> EncodeVisualDerivativePng(const VisualDerivative& derivative) {
  return StatusFromExceptions("PNG encoding", [&] {
    return EncodeGreyPng(derivative.pixels.data(), kVisualDerivativeSide, kVisualDerivativeSide);
  });
}

}  // namespace hashveil::matcher
