// Every per-image value of a voucher as a PRF of the account's fkey and the image's base key
// k0 (docs/design.md section 5): the same image, sent again or from another device of the account,
// yields the same share, tag and synthetic decision, so it counts once and a repeat looks the
// same to the server whether the first voucher was real or synthetic.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "hashveil/matcher/match_keys.h"
#include "hashveil/psi/crypto.h"
#include "hashveil/psi/detectable_hash.h"
#include "hashveil/psi/group.h"

namespace hashveil::psi {

inline constexpr std::size_t kBaseKeyTagBytes = 32;
inline constexpr std::uint32_t kPartsPerMillion = 1'000'000;

// PRF(fkey, "hashveil/prf/base-key-record", k0): how the account state remembers an image
// without storing its key.
using BaseKeyTag = std::array<std::uint8_t, kBaseKeyTagBytes>;

// Move-only (holds scalars, which wipe themselves).
struct ImageChoices {
  Scalar share_x;          // x: the share's x-coordinate, never zero
  Scalar dummy_share_y;    // z: a synthetic voucher sends the share (x, z)
  FieldElement tag_x = 0;  // x': the DHF input
  // r': a synthetic voucher's tag is (x', these s values), uniform in F_p.
  std::vector<FieldElement> synthetic_tag_values;
  // Uniform in [0, 10^6): the image is a synthetic candidate iff this is < p_syn in ppm.
  std::uint32_t synthetic_draw_ppm = 0;
  BaseKeyTag base_key_tag{};
};

// Derives the choices for base key k0 with s = synthetic_max synthetic tag values. Each value
// has its own PRF domain (docs/protocol.md lists them); field elements reduce 128 PRF bits
// mod p and scalars 512 bits mod l, so their bias is negligible.
// Precondition: synthetic_max <= kMaxSyntheticTags.
ImageChoices DeriveImageChoices(const PrfKey& fkey, const matcher::MatchKey& base_key,
                                std::uint32_t synthetic_max);

}  // namespace hashveil::psi
