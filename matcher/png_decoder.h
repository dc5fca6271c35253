// PNG decoding with libpng directly, so that the device library needs no OpenCV: the same
// pixels as OpenCV 4.6's imdecode(IMREAD_UNCHANGED), which also runs libpng, with the same
// transformations, except that colour comes out RGB rather than BGR.
#pragma once

#include <cstdint>
#include <span>

#include "decoded_image.h"
#include "hashveil/common/status.h"

namespace hashveil::matcher {

// Grey (1, 2, 4, 8, 16 bits; its tRNS ignored, as OpenCV does) stays kGray8. RGB and palette
// become kRgb8, or kRgba8 with a tRNS chunk; grey+alpha and RGBA become kRgba8. Low bit depths
// and palettes are expanded, 16-bit samples scaled to 8 bits (v / 257, rounded), Adam7 interlacing
// undone; gAMA, iCCP and the other colour chunks do not change the samples.
// Errors: kResourceExhausted (IHDR declares more than max_pixels pixels; refused before libpng
// allocates anything for the image), kCorrupt ("PNG data is truncated" when the data ends before
// IEND, "PNG data is malformed" otherwise, e.g. a critical chunk's CRC mismatch).
Result<DecodedImage> DecodePng(std::span<const std::uint8_t> bytes, std::uint64_t max_pixels);

}  // namespace hashveil::matcher
