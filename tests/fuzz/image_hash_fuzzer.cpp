// Image bytes to PDQ hash: format sniffing, the header's pixel budget, libjpeg-turbo (both the
// fast DCT-scaled / early-scan path and the reference full decode), libpng, libwebp, OpenCV for
// BMP and TIFF, then the hashing core. png_decode and webp_decode reach those decoders directly.
#include <cstdint>
#include <span>

#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"
#include "hashveil/matcher/pdq_hasher.h"

namespace hashveil::fuzz {
namespace {

// Budgets small enough that every accepted input decodes in milliseconds (the refusal of larger
// headers is exercised all the same). The fast mode's is large enough for its progressive
// early-scan path (from 1024 px on the shorter side, decoded at 1/2; the 1/4 and 1/8 scales
// have their own target, jpeg_early_scans); the reference mode decodes in full, so it gets
// 512x512.
constexpr std::uint64_t kFastMaxPixels = 1u << 22;
constexpr std::uint64_t kReferenceMaxPixels = 1u << 18;

void CheckOutcome(const Result<matcher::PdqResult>& result, bool dihedral) {
  if (!result.ok()) return CheckRefusal(result.status());
  HV_FUZZ_CHECK(result->quality >= 0 && result->quality <= 100);
  HV_FUZZ_CHECK(result->dihedral.has_value() == dihedral);
  if (dihedral) {
    HV_FUZZ_CHECK((*result->dihedral)[static_cast<int>(matcher::Dihedral::kOriginal)] == result->hash);
  }
}

void HashImageBytes(std::span<const std::uint8_t> data) {
  for (const matcher::DecodeMode mode : {matcher::DecodeMode::kFast, matcher::DecodeMode::kReference}) {
    const bool dihedral = mode == matcher::DecodeMode::kReference;
    const matcher::DecodeOptions options{
        .max_pixels = dihedral ? kReferenceMaxPixels : kFastMaxPixels, .mode = mode, .dihedral = dihedral};
    CheckOutcome(matcher::HashEncodedImage(data, options), dihedral);
  }
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("image_hash", hashveil::fuzz::HashImageBytes)
