#include "hashveil/psi/key_hashing.h"

#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <string_view>

namespace hashveil::psi {
namespace {

__extension__ typedef unsigned __int128 Wide;  // __extension__: keeps -Wpedantic quiet

constexpr std::string_view kMatchKeyDomain = "hashveil/match-key";
constexpr std::string_view kFillerDomain = "hashveil/filler";

std::array<std::uint8_t, kDbNonceBytes + std::tuple_size_v<matcher::MatchKey>> MatchKeyMessage(
    const DbNonce& db_nonce, const matcher::MatchKey& key) {
  std::array<std::uint8_t, kDbNonceBytes + std::tuple_size_v<matcher::MatchKey>> message{};
  std::copy(db_nonce.begin(), db_nonce.end(), message.begin());
  std::copy(key.begin(), key.end(), message.begin() + kDbNonceBytes);
  return message;
}

std::array<std::uint8_t, kFillerSeedBytes + 8> FillerMessage(const FillerSeed& seed,
                                                             std::uint64_t cell_index) {
  std::array<std::uint8_t, kFillerSeedBytes + 8> message{};
  std::copy(seed.begin(), seed.end(), message.begin());
  for (int i = 0; i < 8; ++i) {
    message[kFillerSeedBytes + static_cast<std::size_t>(i)] =
        static_cast<std::uint8_t>(cell_index >> (8 * i));
  }
  return message;
}

}  // namespace

Point HashMatchKey(const DbNonce& db_nonce, const matcher::MatchKey& key) {
  return HashToGroup(kMatchKeyDomain, MatchKeyMessage(db_nonce, key));
}

Element HashMatchKeyElement(const DbNonce& db_nonce, const matcher::MatchKey& key) {
  return Element::FromHash(kMatchKeyDomain, MatchKeyMessage(db_nonce, key));
}

std::array<std::uint64_t, 3> OkvsCells(const DbNonce& db_nonce, std::uint32_t attempt,
                                       const matcher::MatchKey& key, std::uint64_t cell_count) {
  assert(cell_count >= 3 && cell_count % 3 == 0);
  static constexpr std::string_view kDomain = "hashveil/okvs-cells";
  const auto domain_length = static_cast<std::uint8_t>(kDomain.size());
  std::array<std::uint8_t, 4> attempt_bytes{};
  for (int i = 0; i < 4; ++i) attempt_bytes[i] = static_cast<std::uint8_t>(attempt >> (8 * i));
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 24);
  crypto_generichash_update(&state, &domain_length, 1);
  crypto_generichash_update(&state, reinterpret_cast<const std::uint8_t*>(kDomain.data()),
                            kDomain.size());
  crypto_generichash_update(&state, db_nonce.data(), db_nonce.size());
  crypto_generichash_update(&state, attempt_bytes.data(), attempt_bytes.size());
  crypto_generichash_update(&state, key.data(), key.size());
  std::array<std::uint8_t, 24> digest{};
  crypto_generichash_final(&state, digest.data(), digest.size());
  const std::uint64_t segment = cell_count / 3;
  std::array<std::uint64_t, 3> cells{};
  for (std::size_t j = 0; j < 3; ++j) {
    std::uint64_t word = 0;
    for (int i = 7; i >= 0; --i) word = word << 8 | digest[8 * j + static_cast<std::size_t>(i)];
    // Lemire's reduction: floor(word * segment / 2^64), bias below segment / 2^64.
    const auto offset = static_cast<std::uint64_t>(
        (static_cast<Wide>(word) * segment) >> 64);
    cells[j] = j * segment + offset;
  }
  return cells;
}

Point FillerPoint(const FillerSeed& seed, std::uint64_t cell_index) {
  return HashToGroup(kFillerDomain, FillerMessage(seed, cell_index));
}

Element FillerElement(const FillerSeed& seed, std::uint64_t cell_index) {
  return Element::FromHash(kFillerDomain, FillerMessage(seed, cell_index));
}

}  // namespace hashveil::psi
