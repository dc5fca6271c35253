// A non-owning view of decoded pixels, for callers that already have them (camera frames, a
// platform decoder). The hashing core knows no image library.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hashveil::matcher {

enum class PixelFormat {
  kGray8,   // one byte per pixel
  kRgb8,    // R, G, B
  kBgr8,    // B, G, R (OpenCV's order)
  kRgba8,   // R, G, B, A (straight, not premultiplied, alpha)
};

int BytesPerPixel(PixelFormat format);

struct ImageView {
  const std::uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  std::size_t stride = 0;  // bytes from one row to the next, >= width * BytesPerPixel(format)
  PixelFormat format = PixelFormat::kRgb8;
};

}  // namespace hashveil::matcher
