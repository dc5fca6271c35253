// From Hamming distance to exact-match keys (docs/design.md section 4).
//
// A key scheme has L tables; table l selects k of the 256 hash bit positions. A match key is
// (l, those k bits). The DB builder, who has only hash bits, stores the L base keys of each
// hash; the device, which also knows each bit's margin, emits P probe keys: the base keys plus
// variants that flip the least reliable selected bits, ordered by the total margin flipped.
// Both sides call the same functions, so the keys agree bit for bit. The exact rules (which
// positions each table selects, how probes are enumerated and the budget split) are in
// docs/pdq.md, "Match keys and probes"; changing them changes every published DB.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/matcher/pdq_hash.h"

namespace hashveil::matcher {

// |B[i][j] - median| for each of the 256 hash bits: how far a bit is from flipping.
// Device-only: margins never leave the device.
using BitMargins = std::array<float, PdqHash::kBits>;

struct KeyScheme {
  static constexpr std::uint32_t kMaxTables = 64;
  static constexpr std::uint32_t kMaxProbes = 4096;

  std::uint32_t tables = 1;          // L, 1..kMaxTables
  std::uint32_t bits_per_key = 64;   // k, 8..256, a multiple of 8
  std::uint32_t probes = 48;         // P, L..min(kMaxProbes, 256*L): total probe keys per image
  std::uint64_t seed = 0;            // selects the bit positions of tables after the first
  // Which rules derive the keys (docs/pdq.md, "Match keys and probes"); a DB pins it, so every
  // device probes as the DB's audit measured. 1: frequency-ordered positions, probes that flip
  // the hash's own low-margin bits (DB formats 1-3). 2: adds probes from the hash of photometric
  // variants of the device's copy (issue 12).
  std::uint32_t revision = kLatestRevision;
  static constexpr std::uint32_t kFirstRevision = 1;
  static constexpr std::uint32_t kLatestRevision = 2;

  // kInvalidInput naming the first parameter out of range.
  Status Validate() const;
  friend bool operator==(const KeyScheme&, const KeyScheme&) = default;
};

// Canonical 33-byte encoding: byte 0 is the table index, bytes 1..32 the selected bits packed
// LSB-first in selection order, zero-padded past k. Equal keys have equal bytes.
using MatchKey = std::array<std::uint8_t, 33>;

// The bit positions table `table` selects, in selection order (k of them, distinct).
// Table 0: the k lowest-frequency DCT positions (bit 16i+j is coefficient (i,j); ordered by
// i+j, then i). Tables l > 0: a seeded weighted draw favouring low frequencies.
// Precondition: scheme.Validate().ok() and table < scheme.tables.
std::vector<int> SelectedPositions(const KeyScheme& scheme, std::uint32_t table);

// The L base keys of a hash, table 0 first (DB side, and the first key per table on the device).
// Precondition: scheme.Validate().ok().
std::vector<MatchKey> BaseKeys(const PdqHash& hash, const KeyScheme& scheme);

// How many of the P probes table `table` gets: P/L, plus one for the first P mod L tables.
// Precondition: scheme.Validate().ok() and table < scheme.tables.
std::uint32_t ProbeBudget(const KeyScheme& scheme, std::uint32_t table);

// The first `count` keys of table `table` for `hash`: its base key, then flips of its selected
// bits in increasing order of total margin flipped (fewer when the table has fewer subsets).
// Precondition: scheme.Validate().ok() and table < scheme.tables.
std::vector<MatchKey> TableProbes(const PdqHash& hash, const BitMargins& margins,
                                  const KeyScheme& scheme, std::uint32_t table,
                                  std::uint32_t count);

// The device's probe keys: exactly P keys, distinct. Grouped by table, table 0 first; within a
// table its base key first, then flips of its selected bits in increasing order of total margin
// flipped. So the first key is table 0's base key. Non-finite or negative margins count as
// +infinity (never flipped before a finite one). Precondition: scheme.Validate().ok().
std::vector<MatchKey> ProbeKeys(const PdqHash& hash, const BitMargins& margins,
                                const KeyScheme& scheme);

}  // namespace hashveil::matcher
