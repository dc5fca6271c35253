#include "hashveil/psi/key_hashing.h"

#include <sodium.h>

#include <algorithm>
#include <cassert>

namespace hashveil::psi {
namespace {

void PutU64(std::uint64_t value, std::uint8_t* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

}  // namespace

Point HashMatchKey(const DbNonce& db_nonce, const matcher::MatchKey& key) {
  std::array<std::uint8_t, kDbNonceBytes + std::tuple_size_v<matcher::MatchKey>> message{};
  std::copy(db_nonce.begin(), db_nonce.end(), message.begin());
  std::copy(key.begin(), key.end(), message.begin() + kDbNonceBytes);
  return HashToGroup("hashveil/match-key", message);
}

std::vector<std::uint64_t> CuckooSlots(const DbNonce& db_nonce, const matcher::MatchKey& key,
                                       std::uint64_t slot_count, std::uint32_t functions) {
  assert(functions >= 1 && functions <= kMaxCuckooFunctions && functions <= slot_count);
  static constexpr char kDomain[] = "hashveil/cuckoo-slot";
  std::vector<std::uint64_t> slots;
  slots.reserve(functions);
  for (std::uint32_t j = 0; j < functions; ++j) {
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, 8);
    crypto_generichash_update(&state, reinterpret_cast<const std::uint8_t*>(kDomain),
                              sizeof(kDomain) - 1);
    crypto_generichash_update(&state, db_nonce.data(), db_nonce.size());
    const std::uint8_t index = static_cast<std::uint8_t>(j);
    crypto_generichash_update(&state, &index, 1);
    crypto_generichash_update(&state, key.data(), key.size());
    std::array<std::uint8_t, 8> digest{};
    crypto_generichash_final(&state, digest.data(), digest.size());
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i) value = value << 8 | digest[i];
    std::uint64_t slot = value % slot_count;  // bias < slot_count / 2^64: negligible
    while (std::find(slots.begin(), slots.end(), slot) != slots.end()) {
      slot = (slot + 1) % slot_count;
    }
    slots.push_back(slot);
  }
  return slots;
}

Point FillerPoint(const FillerSeed& seed, std::uint64_t slot_index) {
  std::array<std::uint8_t, kFillerSeedBytes + 8> message{};
  std::copy(seed.begin(), seed.end(), message.begin());
  PutU64(slot_index, message.data() + kFillerSeedBytes);
  return HashToGroup("hashveil/filler", message);
}

}  // namespace hashveil::psi
