// WebP bytes through the device's libwebp decoder (RIFF and VP8X parsing, lossy VP8 with an
// ALPH plane, lossless VP8L, the refusal of animations).
#include <cstdint>
#include <span>

#include "fuzz/decoded_image_check.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"
#include "webp_decoder.h"

namespace hashveil::fuzz {
namespace {

// As png_decode's: small images decode fast, larger headers are refused.
constexpr std::uint64_t kMaxPixels = 1u << 16;

void DecodeWebpBytes(std::span<const std::uint8_t> data) {
  const Result<matcher::DecodedImage> image = matcher::DecodeWebp(data, kMaxPixels);
  if (!image.ok()) return CheckRefusal(image.status());
  CheckDecodedImage(*image, kMaxPixels);
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("webp_decode", hashveil::fuzz::DecodeWebpBytes)
