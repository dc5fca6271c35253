// Blinding the DB's keys (docs/protocol.md section 5): the value V = alpha*H(key) each key of the
// table must decode to.
#pragma once

#include <span>
#include <vector>

#include "hashveil/hashdb/source_store.h"
#include "hashveil/matcher/match_keys.h"
#include "hashveil/psi/group.h"
#include "hashveil/psi/key_hashing.h"

namespace hashveil::hashdb {

// alpha*H(keys[i]) for every key, on `threads` threads (0: all); `progress(done, total)` counts
// keys. kInternal only if a product is the identity (probability ~2^-252).
Result<std::vector<psi::Point>> BlindKeys(std::span<const matcher::MatchKey> keys,
                                          const psi::DbNonce& db_nonce, const psi::Scalar& alpha,
                                          unsigned threads, const ProgressCallback& progress);

}  // namespace hashveil::hashdb
