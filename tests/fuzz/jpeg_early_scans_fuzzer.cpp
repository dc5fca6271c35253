// Our own bounded reader of a progressive JPEG's early scans (matcher/jpeg_early_scans): the
// first scan alone at 1/8 scale, and with the first luma AC scan at 1/4 and 1/2. image_hash
// reaches it only where the fast mode's routing sends an image; here every input meets all three
// scales, whatever its size within the budget.
#include <cstdint>
#include <span>

#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"
#include "jpeg_early_scans.h"

namespace hashveil::fuzz {
namespace {

constexpr std::uint64_t kMaxPixels = 1u << 22;

void CheckPlane(const Result<matcher::DecodedImage>& plane) {
  if (!plane.ok()) return CheckRefusal(plane.status());
  HV_FUZZ_CHECK(plane->format == matcher::PixelFormat::kGray8);
  HV_FUZZ_CHECK(plane->width > 0 && plane->height > 0);
  HV_FUZZ_CHECK(plane->pixels.size() ==
                static_cast<std::size_t>(plane->width) * static_cast<std::size_t>(plane->height));
}

void ReadEarlyScans(std::span<const std::uint8_t> data) {
  CheckPlane(matcher::DecodeFirstScanLuma(data, kMaxPixels));
  for (const int denominator : {4, 2}) {
    CheckPlane(matcher::DecodeFirstAcScanLuma(data, kMaxPixels, denominator));
  }
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("jpeg_early_scans", hashveil::fuzz::ReadEarlyScans)
