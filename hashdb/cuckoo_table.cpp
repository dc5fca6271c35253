#include "cuckoo_table.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>

#include "hashveil/common/splitmix64.h"
#include "parallel_for.h"

namespace hashveil::hashdb {
namespace {

// With c >= 3 at load 0.9, or c = 2 below 0.5, a walk this long fails with negligible
// probability unless the table is genuinely over-full; past it the key is dropped.
constexpr std::uint64_t kMaxEvictions = 2000;

// The walk's choices come from SplitMix64 seeded by the DB nonce: deterministic for a nonce
// (the same entries always give the same table), not a secret.
SplitMix64 WalkRandom(const psi::DbNonce& nonce) {
  std::array<std::uint8_t, 8> digest{};
  static constexpr char kDomain[] = "hashveil/cuckoo-walk";
  crypto_generichash_state hash;
  crypto_generichash_init(&hash, nullptr, 0, digest.size());
  crypto_generichash_update(&hash, reinterpret_cast<const std::uint8_t*>(kDomain),
                            sizeof(kDomain) - 1);
  crypto_generichash_update(&hash, nonce.data(), nonce.size());
  crypto_generichash_final(&hash, digest.data(), digest.size());
  std::uint64_t seed = 0;
  for (int i = 7; i >= 0; --i) seed = seed << 8 | digest[static_cast<std::size_t>(i)];
  return SplitMix64(seed);
}

}  // namespace

std::uint64_t CuckooSlotCount(std::uint64_t key_count, double load, std::uint32_t functions) {
  const auto slots = static_cast<std::uint64_t>(std::ceil(static_cast<double>(key_count) / load));
  return std::max<std::uint64_t>(slots, functions);
}

Result<CuckooPlacement> PlaceKeys(std::span<const matcher::MatchKey> keys,
                                  const psi::DbNonce& db_nonce, std::uint64_t slot_count,
                                  std::uint32_t functions, unsigned threads) {
  if (functions < 1 || functions > psi::kMaxCuckooFunctions) {
    return Status::InvalidInput("cuckoo functions must be 1.." +
                                std::to_string(psi::kMaxCuckooFunctions));
  }
  if (slot_count < functions || slot_count >= CuckooPlacement::kEmptySlot) {
    return Status::InvalidInput("slot count out of range for the cuckoo table");
  }
  if (keys.size() >= CuckooPlacement::kEmptySlot) {
    return Status::ResourceExhausted("too many keys for one cuckoo table");
  }

  // Every key's c slots, computed once (hashing dominates otherwise: evicted keys come back).
  std::vector<std::uint64_t> key_slots(keys.size() * functions);
  HV_RETURN_IF_ERROR(ParallelFor(keys.size(), threads, [&](std::uint64_t begin, std::uint64_t end) {
    for (std::uint64_t k = begin; k < end; ++k) {
      const auto slots = psi::CuckooSlots(db_nonce, keys[k], slot_count, functions);
      std::copy(slots.begin(), slots.end(), key_slots.begin() + static_cast<std::ptrdiff_t>(k * functions));
    }
    return Status::Ok();
  }));

  CuckooPlacement placement;
  placement.slot_key.assign(slot_count, CuckooPlacement::kEmptySlot);
  SplitMix64 random = WalkRandom(db_nonce);
  for (std::uint32_t key = 0; key < keys.size(); ++key) {
    std::uint32_t homeless = key;
    std::uint64_t came_from = slot_count;  // no slot yet
    std::uint64_t walk = 0;
    for (;; ++walk) {
      const std::uint64_t* slots = &key_slots[std::uint64_t{homeless} * functions];
      const std::uint64_t* free_slot = std::find_if(slots, slots + functions, [&](std::uint64_t s) {
        return placement.slot_key[s] == CuckooPlacement::kEmptySlot;
      });
      if (free_slot != slots + functions) {
        placement.slot_key[*free_slot] = homeless;
        break;
      }
      if (walk == kMaxEvictions || functions == 1) {
        placement.dropped_keys.push_back(homeless);
        break;
      }
      // Evict from a random slot other than the one the key was just evicted from, so the walk
      // does not bounce straight back.
      std::uint64_t victim_slot;
      do {
        victim_slot = slots[random.Next() % functions];
      } while (victim_slot == came_from);
      std::swap(homeless, placement.slot_key[victim_slot]);
      came_from = victim_slot;
    }
    placement.max_walk = std::max(placement.max_walk, walk);
  }
  std::sort(placement.dropped_keys.begin(), placement.dropped_keys.end());
  return placement;
}

}  // namespace hashveil::hashdb
