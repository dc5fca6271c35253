// The per-image and per-key values of a voucher, as PRFs of the account's fkey
// (docs/protocol.md 1.4). A real entry's share and tag come from the probe key it was made for, so
// every copy of a known image whose probe opens the same DB key gives the same share and tag and
// counts once (protocol v2). The synthetic decision and a synthetic voucher's share and tag come
// from the image's base key k0, in PRF domains of their own, so a repeat of an image looks the
// same whether it was real or synthetic, and no synthetic identity ever equals a key's.
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

// The per-image values, from k0. Move-only (holds scalars, which wipe themselves).
struct ImageChoices {
  // A synthetic voucher's share (x, z) and tag (x', r'_1..r'_s); x never zero, r' uniform in F_p.
  Scalar synthetic_share_x;
  Scalar dummy_share_y;
  FieldElement synthetic_tag_x = 0;
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

// A match key's identity in the account: the share x (never zero) and tag input x' of every
// real entry made for that probe key. When the entry opens, the key is a DB key, so the server
// counts distinct DB keys, not distinct copies.
struct KeyIdentity {
  Scalar share_x;
  FieldElement tag_x = 0;
};
KeyIdentity DeriveKeyIdentity(const PrfKey& fkey, const matcher::MatchKey& key);

}  // namespace hashveil::psi
