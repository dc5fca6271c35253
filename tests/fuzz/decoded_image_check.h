// The invariants every image a device decoder returns keeps, for its fuzz target.
#pragma once

#include <cstdint>

#include "decoded_image.h"
#include "fuzz/fuzz_target.h"

namespace hashveil::fuzz {

inline void CheckDecodedImage(const matcher::DecodedImage& image, std::uint64_t max_pixels) {
  HV_FUZZ_CHECK(image.width > 0 && image.height > 0);
  const auto pixels =
      static_cast<std::uint64_t>(image.width) * static_cast<std::uint64_t>(image.height);
  HV_FUZZ_CHECK(pixels <= max_pixels);
  HV_FUZZ_CHECK(image.format == matcher::PixelFormat::kGray8 ||
                image.format == matcher::PixelFormat::kRgb8 ||
                image.format == matcher::PixelFormat::kRgba8);
  HV_FUZZ_CHECK(image.pixels.size() == pixels * matcher::BytesPerPixel(image.format));
}

}  // namespace hashveil::fuzz
