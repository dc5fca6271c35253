// WebP decoding with libwebp directly, so that the device library needs no OpenCV: the same
// pixels as OpenCV 4.6's imdecode(IMREAD_UNCHANGED), which also runs libwebp, in RGB order.
#pragma once

#include <cstdint>
#include <span>

#include "decoded_image.h"
#include "hashveil/common/status.h"

namespace hashveil::matcher {

// Lossy and lossless still images: kRgba8 when the header announces alpha (the VP8X flag or the
// VP8L header bit), else kRgb8 (non-premultiplied, libwebp's default fancy upsampling).
// Errors: kResourceExhausted (more than max_pixels pixels, refused before decoding),
// kUnsupported (an animated WebP), kCorrupt ("WebP data is truncated" or "... is malformed").
Result<DecodedImage> DecodeWebp(std::span<const std::uint8_t> bytes, std::uint64_t max_pixels);

}  // namespace hashveil::matcher
