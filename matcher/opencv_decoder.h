// PNG, WebP, BMP and TIFF through OpenCV's imgcodecs. Callers check the header's dimensions
// first (image_format.h): OpenCV is only handed images within the pixel budget.
#pragma once

#include <cstdint>
#include <span>

#include "decoded_image.h"
#include "hashveil/common/status.h"

namespace hashveil::matcher {

// Grey stays grey; colour becomes BGR; any alpha (grey+alpha too) becomes RGBA; 16-bit samples
// are scaled to 8 bits (v / 257, rounded). EXIF orientation is ignored.
// Errors: kCorrupt (undecodable or truncated), kUnsupported (float samples), kInternal.
Result<DecodedImage> DecodeWithOpenCv(std::span<const std::uint8_t> bytes);

}  // namespace hashveil::matcher
