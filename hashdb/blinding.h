// Blinding the cuckoo table (DESIGN.md section 5, "DB setup"): occupied slot i holds
// alpha*H(key), empty slot i the filler H("filler" || seed || i) that anyone can recompute.
#pragma once

#include <span>
#include <vector>

#include "cuckoo_table.h"
#include "hashveil/hashdb/source_store.h"
#include "hashveil/psi/group.h"
#include "hashveil/psi/key_hashing.h"

namespace hashveil::hashdb {

// The slot_count points of the table, computed on `threads` threads (0: all), each worker
// hashing to the group and multiplying by alpha. `progress(done, total)` counts slots.
// kInternal only if a product is the identity (probability ~2^-252).
Result<std::vector<psi::Point>> BlindTable(std::span<const matcher::MatchKey> keys,
                                           const CuckooPlacement& placement,
                                           const psi::DbNonce& db_nonce,
                                           const psi::FillerSeed& filler_seed,
                                           const psi::Scalar& alpha, unsigned threads,
                                           const ProgressCallback& progress);

}  // namespace hashveil::hashdb
