// PNG bytes through the device's libpng decoder (chunk parsing, inflate, palette, tRNS, 16-bit
// scaling, Adam7), and every grey image it returns back through the PNG encoder.
#include <cstdint>
#include <span>

#include "fuzz/decoded_image_check.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"
#include "png_decoder.h"
#include "png_encoder.h"

namespace hashveil::fuzz {
namespace {

// Small enough that every accepted input decodes in milliseconds; larger headers are refused
// all the same, which is the path under test for them.
constexpr std::uint64_t kMaxPixels = 1u << 16;

void DecodePngBytes(std::span<const std::uint8_t> data) {
  const Result<matcher::DecodedImage> image = matcher::DecodePng(data, kMaxPixels);
  if (!image.ok()) return CheckRefusal(image.status());
  CheckDecodedImage(*image, kMaxPixels);
  if (image->format != matcher::PixelFormat::kGray8) return;
  const auto png = matcher::EncodeGreyPng(image->pixels.data(), image->width, image->height);
  HV_FUZZ_CHECK(png.ok());
  const Result<matcher::DecodedImage> again = matcher::DecodePng(*png, kMaxPixels);
  HV_FUZZ_CHECK(again.ok() && again->pixels == image->pixels);
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("png_decode", hashveil::fuzz::DecodePngBytes)
