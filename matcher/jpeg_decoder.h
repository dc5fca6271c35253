// JPEG decoding with libjpeg(-turbo) directly, for what OpenCV cannot do: decode a progressive
// JPEG's early scans alone (its first scan holds every block's DC coefficient: the image at 1/8
// scale; the next ones its lowest AC coefficients), take luma straight from Y, and fail cleanly
// on truncated data.
#pragma once

#include <cstdint>
#include <span>

#include "decoded_image.h"
#include "hashing_scratch.h"
#include "hashveil/common/status.h"
#include "luma.h"

namespace hashveil::matcher {

struct JpegRequest {
  std::uint64_t max_pixels = 0;  // refused above this (checked from the header)
  // 0: full size, reference-compatible output (libjpeg defaults: RGB or grey, accurate IDCT,
  // fancy upsampling). Otherwise luma only, at the largest DCT scaling (1/2, 1/4, 1/8) that keeps
  // the shorter side >= min_side...
  int min_side = 0;
  // ...and (min_side > 0) a progressive JPEG is decoded from its early scans alone, up to the one
  // completing luma's DC coefficients at 1/8, its DC and lowest AC coefficients (zigzag 1, 2, 4)
  // at 1/2 and 1/4; by our bounded reader (jpeg_early_scans.h) when it takes the file, otherwise
  // by libjpeg's buffered-image mode, with the same pixels...
  bool early_scans = false;
  // ...at the largest scaling keeping the shorter side >= early_scan_min_side when one does
  // (0: min_side), else by the min_side rule.
  int early_scan_min_side = 0;
  // When set, the output's storage (and the early-scan reader's DC buffer) come from it.
  HashingScratch* scratch = nullptr;
  // When set, a grey or RGB image libjpeg outputs goes to it row by row and is not stored: the
  // result has the image's size and format, no pixels (when `squash->complete()`). Images that
  // need a whole-image pass (CMYK) or come from the early-scan reader are returned as usual.
  RowSquash* squash = nullptr;
};

// Errors: kResourceExhausted (too many pixels), kCorrupt (malformed or truncated data),
// kUnsupported (a colour space other than grey, YCbCr, RGB, CMYK, YCCK).
Result<DecodedImage> DecodeJpeg(std::span<const std::uint8_t> bytes, const JpegRequest& request);

// The largest denominator (1, 2, 4 or 8) keeping the shorter side >= min_side (1 when min_side <= 0).
int JpegScaleDenominator(std::uint64_t width, std::uint64_t height, int min_side);

}  // namespace hashveil::matcher
