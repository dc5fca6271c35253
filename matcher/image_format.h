// Recognises an encoded image and reads its declared dimensions from the header alone, so that
// oversized images are refused before any decoder allocates for them.
#pragma once

#include <cstdint>
#include <span>

#include "hashveil/common/status.h"

namespace hashveil::matcher {

enum class ImageFormat { kJpeg, kPng, kWebp, kBmp, kTiff };

struct ImageHeader {
  ImageFormat format;
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  bool progressive = false;  // a progressive JPEG (SOF2, SOF6, SOF10, SOF14)
};

// Errors: kInvalidInput (no bytes), kUnsupported (not one of the formats above), kCorrupt (the
// header is cut short or malformed, or declares a zero dimension).
Result<ImageHeader> ReadImageHeader(std::span<const std::uint8_t> bytes);

// kResourceExhausted when the header declares more than max_pixels pixels.
Status CheckPixelBudget(const ImageHeader& header, std::uint64_t max_pixels);

}  // namespace hashveil::matcher
