// The account state's plaintext form and the export blob around it. Private to psi/.
//
// State, version 2 (little-endian): the root secret (32), the parameters the state is pinned to
// (u32 t, u32 s, u32 p_syn in ppm), the DB epoch floor (u64: the newest DB epoch this account
// has used, so an older DB is refused), u32 n, then the n base-key tags of the images made
// synthetic under the pinned parameters (32 each). It only ever exists in wiping memory and
// sealed. Every other secret (fkey, the Shamir polynomial, hkey) is derived from the root and
// the pinned parameters (DeriveGeneration), so the account's devices derive the same secrets for
// the same DB parameters, and other ones, unlinkable to them, for other parameters.
//
// Export blob: "HVACCTX2", a key kind byte (1: transport key; 2: passphrase, followed by a
// 16-byte salt, u64 opslimit, u64 memlimit), then Seal(key, state, AD = everything before it).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/secret.h"
#include "hashveil/common/status.h"
#include "hashveil/psi/account_state.h"

namespace hashveil::psi::account_state_codec {

inline constexpr std::size_t kRootBytes = 32;
using RootSecret = SecretArray<kRootBytes>;

// What is stored.
struct Contents {
  RootSecret root;
  AccountParameters pinned;
  std::uint64_t epoch_floor = 0;
  std::vector<BaseKeyTag> synthetic_images;
};

// The secrets of one parameter set, derived from the root.
struct Generation {
  PrfKey fkey;
  ShamirPolynomial polynomial;
  DetectableHashKey hkey;
};

// A fresh root, pinned to `params` (already validated).
Contents Generate(const AccountParameters& params, RandomSource& random);
// fkey, polynomial and hkey for the contents' pinned parameters: a keyed stream under
// BLAKE2b(root, domain || t || s || p_syn). kInternal if the derivation fails (it cannot for
// validated parameters).
Result<Generation> DeriveGeneration(const Contents& contents);

SecretBytes Serialize(const Contents& contents);
// kCorrupt for any structural error (the bytes were authenticated, so this means a bug or a
// key compromise).
Result<Contents> Parse(std::span<const std::uint8_t> bytes);

std::vector<std::uint8_t> ExportWithKey(const Contents& contents, const AccountStateKey& key,
                                        RandomSource& random);
Result<std::vector<std::uint8_t>> ExportWithPassphrase(const Contents& contents,
                                                       std::string_view passphrase,
                                                       RandomSource& random);
// kCorrupt for a wrong key or passphrase or an altered blob, kUnsupported for another key kind
// or an export of another format version, then as Parse.
Result<Contents> ImportWithKey(std::span<const std::uint8_t> blob, const AccountStateKey& key);
Result<Contents> ImportWithPassphrase(std::span<const std::uint8_t> blob,
                                      std::string_view passphrase);

}  // namespace hashveil::psi::account_state_codec
