#include "webp_decoder.h"

#include <webp/decode.h>

#include <algorithm>
#include <cstring>

namespace hashveil::matcher {
namespace {

// OpenCV takes the features (alpha or not) from the file's first 32 bytes; with more, libwebp
// would also report alpha for an ALPH chunk that a VP8X header without the alpha flag is
// followed by. Reading the same bytes keeps the two decoders' layouts equal.
constexpr std::size_t kFeatureBytes = 32;

Status Failure(VP8StatusCode status) {
  switch (status) {
    case VP8_STATUS_NOT_ENOUGH_DATA: return Status::Corrupt("WebP data is truncated");
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return Status::Unsupported("WebP feature is not supported");
    case VP8_STATUS_OUT_OF_MEMORY:
      return Status::ResourceExhausted("WebP decoder ran out of memory");
    default: return Status::Corrupt("WebP data is malformed");
  }
}

}  // namespace

Result<DecodedImage> DecodeWebp(std::span<const std::uint8_t> bytes, std::uint64_t max_pixels) {
  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 ||
      std::memcmp(bytes.data() + 8, "WEBP", 4) != 0) {
    return Status::Corrupt(bytes.size() < 12 ? "WebP data is truncated" : "WebP data is malformed");
  }
  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) return Status::Internal("libwebp version mismatch");
  const VP8StatusCode header =
      WebPGetFeatures(bytes.data(), std::min(bytes.size(), kFeatureBytes), &config.input);
  if (header != VP8_STATUS_OK) return Failure(header);
  if (config.input.has_animation) return Status::Unsupported("animated WebP is not supported");
  DecodedImage image;
  image.width = config.input.width;
  image.height = config.input.height;
  if (static_cast<std::uint64_t>(image.width) * static_cast<std::uint64_t>(image.height) >
      max_pixels) {
    return Status::ResourceExhausted("image declares more pixels than the configured maximum");
  }
  image.format = config.input.has_alpha ? PixelFormat::kRgba8 : PixelFormat::kRgb8;
  const std::size_t stride = static_cast<std::size_t>(image.width) * BytesPerPixel(image.format);
  image.pixels.resize(stride * static_cast<std::size_t>(image.height));
  config.output.colorspace = config.input.has_alpha ? MODE_RGBA : MODE_RGB;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = image.pixels.data();
  config.output.u.RGBA.stride = static_cast<int>(stride);
  config.output.u.RGBA.size = image.pixels.size();
  const VP8StatusCode decoded = WebPDecode(bytes.data(), bytes.size(), &config);
  WebPFreeDecBuffer(&config.output);  // external memory: frees nothing of ours
  if (decoded != VP8_STATUS_OK) return Failure(decoded);
  return image;
}

}  // namespace hashveil::matcher
