// A strictly bounded reader for the early scans of a progressive JPEG. Its first scan holds every
// 8x8 block's DC coefficient, i.e. the image at 1/8 scale; the first luma AC scan of libjpeg's
// standard script adds the lowest frequencies, enough for the image at 1/4 or 1/2.
// Reading only those skips the rest of the file and libjpeg's whole-image coefficient buffers.
#pragma once

#include <cstdint>
#include <span>

#include "decoded_image.h"
#include "hashing_scratch.h"
#include "hashveil/common/status.h"

namespace hashveil::matcher {

// The luma plane (kGray8) of a progressive (SOF2) JPEG at 1/8 scale, one pixel per 8x8 block:
// what libjpeg-turbo outputs at scale 1/8 after that scan with block smoothing off (its 1x1
// inverse DCT: clamp((DC * q0 + 4) >> 3) + 128), bit for bit. Reads the markers up to the first
// SOS and that scan's entropy data, nothing after it; allocates only the plane and one 16-bit DC
// per block, after checking the block count against max_pixels and the file's length.
// Errors: kUnsupported (not a progressive Huffman-coded 8-bit JPEG whose first scan is a DC scan
// holding luma; colour space other than grey or YCbCr; luma subsampled), kResourceExhausted (the
// image declares more than max_pixels pixels), kCorrupt (malformed markers, tables or entropy
// data; truncated; a restart marker out of sequence). libjpeg tolerates some data the last
// error covers, so a caller wanting its results falls back to it on kCorrupt as well.
// With `scratch`, the plane's storage and the DC buffer come from it (the DC buffer goes back).
Result<DecodedImage> DecodeFirstScanLuma(std::span<const std::uint8_t> bytes, std::uint64_t max_pixels,
                                         HashingScratch* scratch = nullptr);

// The luma plane at 1/2 or 1/4 scale (`denominator` 2 or 4), 4x4 or 2x2 pixels per block, after
// the first scan and the first luma AC scan starting at coefficient 1 and reaching at least
// zigzag 4 (in libjpeg's standard script: AC 1-5, successive approximation Al = 2): what
// libjpeg-turbo's buffered-image mode outputs at that scale once that scan completes, block
// smoothing off (its 4x4 or 2x2 inverse DCT on the coefficients as coded so far, the missing low
// bits and later frequencies zero), bit for bit. Scans of other components before it are skipped
// unread; an image ending (EOI) before it is output from DC alone, as libjpeg does. Each block is
// transformed as soon as that scan has read it: allocates one 16-bit DC per block and the plane.
// Errors: as DecodeFirstScanLuma, plus kUnsupported when a scan touching luma comes first that
// is not that AC scan (a DC refinement, an AC band starting above 1 or ending below 4), and
// kInvalidInput for a denominator other than 2 or 4. `scratch` as DecodeFirstScanLuma's.
Result<DecodedImage> DecodeFirstAcScanLuma(std::span<const std::uint8_t> bytes, std::uint64_t max_pixels,
                                           int denominator, HashingScratch* scratch = nullptr);

}  // namespace hashveil::matcher
