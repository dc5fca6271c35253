// Pixels a decoder produced, owned, with a view for the hashing core.
#pragma once

#include <cstdint>
#include <vector>

#include "hashveil/matcher/image_view.h"

namespace hashveil::matcher {

struct DecodedImage {
  std::vector<std::uint8_t> pixels;  // tightly packed rows
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::kRgb8;

  ImageView view() const {
    return {pixels.data(), width, height, static_cast<std::size_t>(width) * BytesPerPixel(format), format};
  }
};

}  // namespace hashveil::matcher
