// Blinding the cuckoo table (docs/design.md section 5, "DB setup"): occupied slot i holds
// alpha*H(key), empty slot i the filler H("filler" || seed || i) that anyone can recompute.
#pragma once

#include <span>
#include <vector>

#include "cuckoo_table.h"
#include "hashveil/hashdb/source_store.h"
#include "hashveil/psi/group.h"
#include "hashveil/psi/key_hashing.h"

namespace hashveil::hashdb {

struct BlindedTable {
  std::vector<psi::Point> points;      // slot_count points: alpha*H(key) or the filler
  // H(key) of each occupied slot, in slot order: the auditor proof reuses them.
  std::vector<psi::Point> key_points;
};

// The table's points, computed on `threads` threads (0: all), each worker hashing to the group
// and multiplying by alpha. `progress(done, total)` counts slots.
// kInternal only if a product is the identity (probability ~2^-252).
Result<BlindedTable> BlindTable(std::span<const matcher::MatchKey> keys,
                                           const CuckooPlacement& placement,
                                           const psi::DbNonce& db_nonce,
                                           const psi::FillerSeed& filler_seed,
                                           const psi::Scalar& alpha, unsigned threads,
                                           const ProgressCallback& progress);

}  // namespace hashveil::hashdb
