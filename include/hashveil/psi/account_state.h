// The device's account state (docs/design.md section 5, "Account state"): the Shamir polynomial
// whose f(0) yields adkey, the PRF key fkey, the detectable hash key hkey, and the record of
// which images were made synthetic. Shared by the account's devices through Export/Import.
//
// Storage: a SQLite file holding one row, Seal(storage key, the serialised state, AD =
// "hashveil/account-state/v1"), rewritten in one transaction whenever the state changes
// (secure_delete on, so freed pages are zeroed; the rollback journal only ever holds
// ciphertext). The file is created 0600. A state is bound to the threshold t and the
// synthetic cap s of the DB it was made for; the synthetic rate p_syn is read from the
// parameters passed at open time. Rolling the file back to an older copy is not detected.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/secret.h"
#include "hashveil/common/status.h"
#include "hashveil/matcher/match_keys.h"
#include "hashveil/psi/crypto.h"
#include "hashveil/psi/detectable_hash.h"
#include "hashveil/psi/image_choices.h"
#include "hashveil/psi/shamir.h"

namespace hashveil::psi {

inline constexpr std::size_t kAccountStateKeyBytes = 32;
// The key the app supplies (from the platform keystore) to encrypt the state file at rest.
using AccountStateKey = SecretArray<kAccountStateKeyBytes>;

// From the client DB header.
struct AccountParameters {
  std::uint32_t threshold = 0;           // t, 2..kMaxThreshold
  std::uint32_t synthetic_max = 0;       // s = s_max, 0..kMaxSyntheticTags
  std::uint32_t synthetic_rate_ppm = 0;  // p_syn, 0..10^6
  // kInvalidInput naming the first parameter out of range.
  Status Validate() const;
};

// Thread safety: every method may be called concurrently; the keys are immutable after Open and
// DecideSynthetic serialises itself (a mutex) together with its write to the file. One process
// at a time: the file stays exclusively locked while open, and a second opener gets
// kFailedPrecondition.
class AccountState {
 public:
  // Opens the state at `path`, or creates it with fresh secrets from `random` when the file is
  // absent (or empty, e.g. left by a creation that crashed before its first commit). `random`
  // also supplies the nonce of every later write: it must outlive the state, and the state uses
  // it only under its mutex.
  // Errors: kInvalidInput (parameters), kCorrupt (wrong key, or the file was altered or is not
  // an account state), kFailedPrecondition (made for another t or s, or in use by another
  // process), kIoError.
  static Result<std::unique_ptr<AccountState>> OpenOrCreate(const std::filesystem::path& path,
                                                            const AccountStateKey& key,
                                                            const AccountParameters& params,
                                                            RandomSource& random);
  // Creates a state at `path` from an Export blob (another device of the same account).
  // kFailedPrecondition if `path` exists; kCorrupt for a wrong transport key or passphrase or
  // an altered blob; kFailedPrecondition if the blob was made for another t or s; as
  // OpenOrCreate otherwise.
  static Result<std::unique_ptr<AccountState>> Import(std::span<const std::uint8_t> blob,
                                                      const AccountStateKey& transport_key,
                                                      const std::filesystem::path& path,
                                                      const AccountStateKey& storage_key,
                                                      const AccountParameters& params,
                                                      RandomSource& random);
  static Result<std::unique_ptr<AccountState>> ImportWithPassphrase(
      std::span<const std::uint8_t> blob, std::string_view passphrase,
      const std::filesystem::path& path, const AccountStateKey& storage_key,
      const AccountParameters& params, RandomSource& random);

  virtual ~AccountState() = default;

  virtual const AccountParameters& params() const = 0;
  // True when OpenOrCreate generated fresh secrets (false when it opened or imported a state).
  virtual bool created() const = 0;
  virtual const ShamirPolynomial& polynomial() const = 0;
  // DeriveKeyFromScalar(polynomial().secret()).
  virtual const AeadKey& adkey() const = 0;
  virtual const PrfKey& fkey() const = 0;
  virtual const DetectableHashKey& hkey() const = 0;
  // Distinct images made synthetic so far (never more than s).
  virtual std::uint32_t synthetic_count() const = 0;

  // DeriveImageChoices(fkey(), base_key, s).
  virtual ImageChoices ChoicesFor(const matcher::MatchKey& base_key) const = 0;

  // Whether the image with these choices gets a synthetic voucher, atomically with recording
  // the answer: true if this image was made synthetic before; otherwise, if its draw is below
  // p_syn and fewer than s images are synthetic, records it (persisted before returning) and
  // returns true; else false. An image answered false stays false: the count only grows.
  // Errors: kIoError when the record cannot be written (the decision is then not taken).
  virtual Result<bool> DecideSynthetic(const ImageChoices& choices) = 0;

  // The state for another device, sealed under a 32-byte transport key, or under a passphrase
  // (Argon2id, interactive limits, with a random salt stored in the blob).
  virtual std::vector<std::uint8_t> Export(const AccountStateKey& transport_key,
                                           RandomSource& random) const = 0;
  virtual Result<std::vector<std::uint8_t>> ExportWithPassphrase(std::string_view passphrase,
                                                                 RandomSource& random) const = 0;
};

}  // namespace hashveil::psi
