// One image's hashing outcome as one line of text: both decode modes' hash and quality, and a
// digest of the fast mode's margins and visual derivative (what a voucher is built from). The
// device-only build prints it (device_hashes.cpp); the full build computes it in-process
// (tests/integration/device_only_build_test.cpp), so the two builds compare line for line.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <span>
#include <string>

#include "hashveil/common/hex.h"
#include "hashveil/matcher/pdq_hasher.h"

namespace hashveil::testing {

inline std::string DigestHex(std::span<const std::uint8_t> bytes) {
  std::uint8_t digest[16];
  crypto_generichash(digest, sizeof digest, bytes.data(), bytes.size(), nullptr, 0);
  return ToHex(digest);
}

inline std::string HashLine(std::span<const std::uint8_t> image) {
  using matcher::DecodeMode;
  std::string line;
  const auto fast = matcher::HashAndDeriveEncodedImage(image, {.mode = DecodeMode::kFast});
  if (!fast.ok()) return std::string("error=") + StatusCodeName(fast.status().code());
  const auto& margins = fast->pdq.margins;
  line += "fast=" + fast->pdq.hash.ToHex() + "/" + std::to_string(fast->pdq.quality);
  line += " margins=" + DigestHex({reinterpret_cast<const std::uint8_t*>(margins.data()),
                                   sizeof(float) * margins.size()});
  line += " derivative=" + DigestHex(fast->derivative.pixels.span());
  const auto reference = matcher::HashEncodedImage(image, {.mode = DecodeMode::kReference});
  if (!reference.ok())
    return line + " reference-error=" + StatusCodeName(reference.status().code());
  return line + " reference=" + reference->hash.ToHex() + "/" + std::to_string(reference->quality);
}

}  // namespace hashveil::testing
