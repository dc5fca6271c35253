// The audit's transform suite (docs/design.md section 8; each transform documented in
// docs/audit.md): the everyday edits an image goes through between its first appearance and a
// user's device. Every transform returns encoded bytes, so the result goes through the same decode
// and hash path as real input. Seeded and deterministic: the same image, transform and seed give
// the same bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/matcher/image_view.h"

namespace hashveil::audit {

struct TransformInfo {
  std::string_view name;         // stable identifier, used as the key in audit.json
  std::string_view description;  // what it does, with its parameters
  // Benign transforms are the ones the default parameters must keep matching (re-encoding,
  // resizing, photometric edits, blur, noise, captions, greyscale, screenshots); the others
  // (crops, padding, rotations, flips, watermarks) are measured and reported but not required.
  bool benign;
};

// The suite, in report order.
std::span<const TransformInfo> TransformSuite();

// Decoded pixels owned by the audit: 8-bit BGR, rows packed.
struct BgrImage {
  std::vector<std::uint8_t> pixels;
  int width = 0;
  int height = 0;
  matcher::ImageView view() const;
};

// The default longest side the transforms start from: the photo as a messenger delivers it
// (messengers send photos downscaled to about 1600 px; docs/api.md measures scans at that size).
// The DB side always hashes the file as it is. docs/audit.md says why this size, and what
// changes with the full-size original (working side 0) or a smaller one.
inline constexpr int kMessengerSide = 1600;

// Decodes an image file's bytes (EXIF orientation ignored, as the hasher does) and scales it
// down (area filter), if needed, so its longer side is at most `max_side`; 0 keeps the decoded
// size. Errors: kCorrupt (undecodable), kResourceExhausted (more than max_pixels), kInvalidInput
// (a negative max_side), kInternal (an unexpected decoder failure).
Result<BgrImage> DecodeWorkingImage(std::span<const std::uint8_t> bytes, int max_side,
                                    std::uint64_t max_pixels = 100'000'000);

// Applies transform `index` of TransformSuite() to `image` (8-bit BGR) and encodes the result
// (JPEG quality 95 unless the transform is itself an encoding). `seed` draws the transform's
// random parameters (offsets, caption, noise). Errors: kInvalidInput (index out of range or an
// image that is not BGR8 or is smaller than 16 px on a side), kInternal (an encoder failure).
Result<std::vector<std::uint8_t>> ApplyTransform(std::size_t index, const matcher::ImageView& image,
                                                 std::uint64_t seed);

}  // namespace hashveil::audit
