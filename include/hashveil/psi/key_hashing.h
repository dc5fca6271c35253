// How match keys meet the blinded table: the point H(key), the 3 cells a key decodes from, and
// the verifiable filler of a free cell (docs/design.md section 5, "DB setup").
// The DB builder and the device call these same functions.
#pragma once

#include <array>
#include <cstdint>

#include "hashveil/matcher/match_keys.h"
#include "hashveil/psi/group.h"

namespace hashveil::psi {

inline constexpr std::size_t kDbNonceBytes = 32;
inline constexpr std::size_t kFillerSeedBytes = 32;

using DbNonce = std::array<std::uint8_t, kDbNonceBytes>;
using FillerSeed = std::array<std::uint8_t, kFillerSeedBytes>;

// H(key) = from_hash(BLAKE2b-512("hashveil/match-key" || db_nonce || key)). The per-DB nonce
// makes points of one DB useless against another.
Point HashMatchKey(const DbNonce& db_nonce, const matcher::MatchKey& key);
// The same point unencoded, for further arithmetic.
Element HashMatchKeyElement(const DbNonce& db_nonce, const matcher::MatchKey& key);

// The 3 cells of `key` in a table of `cell_count` cells (a multiple of 3, at least 3), one in
// each third: cell j = j*(m/3) + (u_j * (m/3) >> 64), where u_0, u_1, u_2 are the little-endian
// words of BLAKE2b-192(len || "hashveil/okvs-cells" || db_nonce || u32 attempt || key). So the
// three are always distinct. `attempt` is the table's retry counter (docs/protocol.md 5.4).
std::array<std::uint64_t, 3> OkvsCells(const DbNonce& db_nonce, std::uint32_t attempt,
                                       const matcher::MatchKey& key, std::uint64_t cell_count);

// The filler of free cell i: H("hashveil/filler" || seed || i). Anyone with the seed can check
// it, so the server cannot plant a filler that equals alpha*H(key) for a key of its choosing.
Point FillerPoint(const FillerSeed& seed, std::uint64_t cell_index);
// The same point unencoded.
Element FillerElement(const FillerSeed& seed, std::uint64_t cell_index);

}  // namespace hashveil::psi
