// A strictly bounded reader for the first scan of a progressive JPEG. That scan holds every 8x8
// block's DC coefficient, i.e. the image at 1/8 scale, which is all PDQ needs for large photos;
// reading it alone skips the rest of the file and libjpeg's whole-image coefficient buffers.
#pragma once

#include <cstdint>
#include <span>

#include "decoded_image.h"
#include "hashveil/common/status.h"

namespace hashveil::matcher {

// The luma plane (kGray8) of a progressive (SOF2) JPEG at 1/8 scale, one pixel per 8x8 block:
// what libjpeg-turbo outputs at scale 1/8 after that scan with block smoothing off (its 1x1
// inverse DCT: clamp((DC * q0 + 4) >> 3) + 128), bit for bit. Reads the markers up to the first
// SOS and that scan's entropy data, nothing after it; allocates only the plane, after checking
// its size against max_pixels and the file's length.
// Errors: kUnsupported (not a progressive Huffman-coded 8-bit JPEG whose first scan is a DC scan
// holding luma; colour space other than grey or YCbCr; luma subsampled), kResourceExhausted (the
// image declares more than max_pixels pixels), kCorrupt (malformed markers, tables or entropy
// data; truncated; a restart marker out of sequence). libjpeg tolerates some data the last
// error covers, so a caller wanting its results falls back to it on kCorrupt as well.
Result<DecodedImage> DecodeFirstScanLuma(std::span<const std::uint8_t> bytes, std::uint64_t max_pixels);

}  // namespace hashveil::matcher
