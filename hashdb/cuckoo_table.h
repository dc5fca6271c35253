// Cuckoo placement of the DB's match keys (docs/design.md section 5, "DB setup"): each key may sit
// in one of its c slots (psi::CuckooSlots); one key per slot. Keys that still have no slot after a
// bounded random walk of evictions are dropped and counted: each drop is a false negative.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/matcher/match_keys.h"
#include "hashveil/psi/key_hashing.h"

namespace hashveil::hashdb {

struct CuckooPlacement {
  static constexpr std::uint32_t kEmptySlot = UINT32_MAX;
  // Per slot: the index of the key placed there, or kEmptySlot.
  std::vector<std::uint32_t> slot_key;
  std::vector<std::uint32_t> dropped_keys;  // indices of keys that found no slot, ascending
  std::uint64_t max_walk = 0;               // the longest eviction walk any insertion needed
};

// n' = ceil(key_count / load), at least `functions` slots.
std::uint64_t CuckooSlotCount(std::uint64_t key_count, double load, std::uint32_t functions);

// Places distinct `keys` into `slot_count` slots with `functions` position functions.
// Deterministic: the same keys, nonce and sizes give the same placement (the walk's choices come
// from a generator seeded by the nonce). Slot hashing runs on `threads` threads.
// kInvalidInput for parameters out of range, kResourceExhausted for >= 2^32 - 1 keys.
Result<CuckooPlacement> PlaceKeys(std::span<const matcher::MatchKey> keys,
                                  const psi::DbNonce& db_nonce, std::uint64_t slot_count,
                                  std::uint32_t functions, unsigned threads);

}  // namespace hashveil::hashdb
