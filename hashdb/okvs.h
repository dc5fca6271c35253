// The client DB's table: a 3-cell garbled cuckoo table, an oblivious key-value store over
// ristretto255 (docs/protocol.md section 5.4). For every key y of the set,
// T[h0(y)] + T[h1(y)] + T[h2(y)] = V_y, where h_j = psi::OkvsCells and V_y = alpha*H(y).
// The builder solves it; the auditor plans the same keys and recomputes it cell by cell.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/matcher/match_keys.h"
#include "hashveil/psi/group.h"
#include "hashveil/psi/key_hashing.h"

namespace hashveil::hashdb {

// A set that does not peel is planned again under the next attempt, at most this many in all;
// the header records the attempt that succeeded (0..kMaxOkvsAttempts-1).
inline constexpr std::uint32_t kMaxOkvsAttempts = 64;

// Cells for `key_count` keys: a multiple of 3 a little above the peeling threshold 1.222 n
// (docs/parameters.md has the measured failure rates).
std::uint64_t OkvsCellCount(std::uint64_t key_count);

// The peeling of `keys` (distinct) for one attempt: per key its 3 cells and pivot, the solve
// order.
struct OkvsPlan {
  std::uint64_t cell_count = 0;
  std::uint32_t attempt = 0;
  // Per key, in the order of the keys given: psi::OkvsCells(db_nonce, attempt, key, cell_count).
  std::vector<std::array<std::uint64_t, 3>> cells;
  // Per key: which of its 3 cells (0..2) is its pivot, the one cell it alone determines.
  std::vector<std::uint8_t> pivot;
  // Key indices in the order they were peeled; the table is solved in the reverse order.
  std::vector<std::uint32_t> peel_order;
  // Per cell: whether it is some key's pivot. Free cells (false) hold the fillers.
  std::vector<bool> is_pivot;
};

// kFailedPrecondition when the keys do not peel under this attempt (retry with attempt + 1);
// kInvalidInput for fewer than 3 cells, a cell count not a multiple of 3, or more keys than
// cells; kResourceExhausted for 2^32 keys or more. `threads` (0: all) share the cell hashing.
Result<OkvsPlan> PlanOkvs(std::span<const matcher::MatchKey> keys, const psi::DbNonce& db_nonce,
                          std::uint32_t attempt, std::uint64_t cell_count, unsigned threads);

// The table: values[i] is what keys[i] must decode to (alpha*H(keys[i])); free cells are
// FillerPoint(filler_seed, cell). kInvalidInput for a value that is not a valid point or a count
// mismatch; kFailedPrecondition when a cell is the identity or two cells are equal (retry).
Result<std::vector<psi::Point>> SolveOkvs(const OkvsPlan& plan, std::span<const psi::Point> values,
                                          const psi::FillerSeed& filler_seed, unsigned threads);

}  // namespace hashveil::hashdb
