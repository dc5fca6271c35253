// The account state's plaintext form and the export blob around it. Private to psi/.
//
// State, version 1 (little-endian): u32 t, u32 s, u32 n, fkey (32), the t coefficients of the
// Shamir polynomial (32 each), the s*(t-1) hkey coefficients (u64 each), then the n base-key
// tags of the images made synthetic (32 each). It only ever exists in wiping memory and sealed.
//
// Export blob: "HVACCTX1", a key kind byte (1: transport key; 2: passphrase, followed by a
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

struct Contents {
  PrfKey fkey;
  ShamirPolynomial polynomial;
  DetectableHashKey hkey;
  std::vector<BaseKeyTag> synthetic_images;

  std::uint32_t threshold() const { return polynomial.threshold(); }
  std::uint32_t synthetic_max() const { return hkey.synthetic_max(); }
};

// Fresh secrets for `params` (already validated).
Result<Contents> Generate(const AccountParameters& params, RandomSource& random);

SecretBytes Serialize(const Contents& contents);
// kCorrupt for any structural error (the bytes were authenticated, so this means a bug or a
// key compromise); kFailedPrecondition when t or s differ from `params`.
Result<Contents> Parse(std::span<const std::uint8_t> bytes, const AccountParameters& params);

std::vector<std::uint8_t> ExportWithKey(const Contents& contents, const AccountStateKey& key,
                                        RandomSource& random);
Result<std::vector<std::uint8_t>> ExportWithPassphrase(const Contents& contents,
                                                       std::string_view passphrase,
                                                       RandomSource& random);
// kCorrupt for a wrong key or passphrase or an altered blob, kUnsupported for another key kind,
// then as Parse.
Result<Contents> ImportWithKey(std::span<const std::uint8_t> blob, const AccountStateKey& key,
                               const AccountParameters& params);
Result<Contents> ImportWithPassphrase(std::span<const std::uint8_t> blob,
                                      std::string_view passphrase,
                                      const AccountParameters& params);

}  // namespace hashveil::psi::account_state_codec
