// How match keys meet the blinded table: the point H(key), the cuckoo slots a key may sit in,
// and the verifiable filler of an empty slot (docs/design.md section 5, "DB setup").
// The DB builder and the device call these same functions.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "hashveil/matcher/match_keys.h"
#include "hashveil/psi/group.h"

namespace hashveil::psi {

inline constexpr std::size_t kDbNonceBytes = 32;
inline constexpr std::size_t kFillerSeedBytes = 32;
inline constexpr std::uint32_t kMaxCuckooFunctions = 4;

using DbNonce = std::array<std::uint8_t, kDbNonceBytes>;
using FillerSeed = std::array<std::uint8_t, kFillerSeedBytes>;

// H(key) = from_hash(BLAKE2b-512("hashveil/match-key" || db_nonce || key)). The per-DB nonce
// makes points of one DB useless against another.
Point HashMatchKey(const DbNonce& db_nonce, const matcher::MatchKey& key);

// The `functions` distinct slots h_0(key) .. h_{c-1}(key) in [0, slot_count), each
// BLAKE2b("hashveil/cuckoo-slot" || db_nonce || j || key) mod slot_count; a slot equal to an
// earlier one is moved to the next free index (h2 = h1 + 1 mod n'), so the c are distinct.
// Preconditions: 1 <= functions <= kMaxCuckooFunctions, functions <= slot_count.
std::vector<std::uint64_t> CuckooSlots(const DbNonce& db_nonce, const matcher::MatchKey& key,
                                       std::uint64_t slot_count, std::uint32_t functions);

// The filler of empty slot i: H("hashveil/filler" || seed || i). Anyone with the seed can check
// it, so the server cannot plant a filler that equals alpha*H(key) for a key of its choosing.
Point FillerPoint(const FillerSeed& seed, std::uint64_t slot_index);

}  // namespace hashveil::psi
