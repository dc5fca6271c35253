// The device's account state (docs/design.md section 5, "Account state"): a root secret from
// which the account's secrets for one set of privacy parameters are derived (the Shamir
// polynomial whose f(0) yields adkey, the PRF key fkey, the detectable hash key hkey), the
// parameters the state is pinned to, the newest DB epoch it has used (the rollback floor), and
// the record of which images were made synthetic. Shared by the account's devices through
// Export/Import.
//
// Pinning and rotation (docs/protocol.md, "Privacy parameters are pinned"): the state is pinned
// to the DB's t, s and p_syn. Opened for other parameters, it rotates: the secrets are derived
// anew from the root for the new parameters (so every device of the account derives the same
// ones), and the synthetic record starts empty. No image ever has a share under two parameter
// sets that the server could link: the new x-coordinates come from a new fkey.
//
// Storage: a SQLite file holding one row, Seal(storage key, the serialised state, AD =
// "hashveil/account-state/v2"), rewritten in one transaction whenever the state changes
// (secure_delete on, so freed pages are zeroed; the rollback journal only ever holds
// ciphertext). The file is created 0600. Rolling the file back to an older copy is not detected
// (the epoch floor then falls back with it).
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
  friend bool operator==(const AccountParameters&, const AccountParameters&) = default;
};

// The weakest privacy parameters a client accepts from a signed DB (docs/protocol.md, "Privacy
// parameters are pinned"). The DB's publisher chooses t, s and p_syn, but a client that took
// any value would let a publisher switch the protection off (p_syn = 0: every candidate is
// real; t = 2: one more match opens an account). The floor is the app's, set in code that
// auditors can read, never by the DB. The defaults are the library's recommendation.
struct PrivacyFloor {
  std::uint32_t min_threshold = 3;               // t >= 3
  std::uint32_t min_synthetic_rate_ppm = 5'000;  // p_syn >= 0.5%
  // s >= t - 1: enough synthetics may exist to hide up to t - 1 real candidates.
  bool synthetic_max_covers_threshold = true;
};

// kFailedPrecondition naming the first parameter below the floor.
Status CheckPrivacyFloor(const AccountParameters& params, const PrivacyFloor& floor);

// What the state decides for an image of quality >= 50 (docs/protocol.md, "Synthetic vouchers").
// The image's synthetic draw alone says whether it can ever have a real share: an image whose
// draw is below p_syn never does, on any device, before or after the cap. So two devices (or a
// device and its restored backup) never send one image once real and once synthetic, which would
// give the server two different y for one x: a sign that one of them is real.
enum class ImageRole {
  kReal,       // draw >= p_syn: a real share; entries open when a probe key is in the DB
  kSynthetic,  // draw < p_syn, and the image was made synthetic before or the cap s has room
  kWithheld,   // draw < p_syn and the cap is reached: nothing opens, as for a non-match
};

// Thread safety: every method may be called concurrently; the keys are immutable after Open;
// DecideRole and AcceptDbEpoch serialise themselves (a mutex) together with their writes. One process
// at a time: the file stays exclusively locked while open, and a second opener gets
// kFailedPrecondition.
class AccountState {
 public:
  // Opens the state at `path`, or creates it with a fresh root from `random` when the file is
  // absent (or empty, e.g. left by a creation that crashed before its first commit); pinned to
  // other parameters, it rotates to `params` (rotated() then says so) and is rewritten. `random`
  // also supplies the nonce of every later write: it must outlive the state, and the state uses
  // it only under its mutex.
  // Errors: kInvalidInput (parameters), kCorrupt (wrong key, or the file was altered or is not
  // an account state), kUnsupported (a state of an older format), kFailedPrecondition (in use by
  // another process), kIoError.
  static Result<std::unique_ptr<AccountState>> OpenOrCreate(const std::filesystem::path& path,
                                                            const AccountStateKey& key,
                                                            const AccountParameters& params,
                                                            RandomSource& random);
  // Creates a state at `path` from an Export blob (another device of the same account), pinned
  // to `params` (rotating as OpenOrCreate does). kFailedPrecondition if `path` exists; kCorrupt
  // for a wrong transport key or passphrase or an altered blob; as OpenOrCreate otherwise.
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

  // The parameters the state is pinned to (those it was opened with).
  virtual const AccountParameters& params() const = 0;
  // True when OpenOrCreate generated fresh secrets (false when it opened or imported a state).
  virtual bool created() const = 0;
  // True when opening found the state pinned to other parameters and rotated its secrets.
  virtual bool rotated() const = 0;
  virtual const ShamirPolynomial& polynomial() const = 0;
  // DeriveKeyFromScalar(polynomial().secret()).
  virtual const AeadKey& adkey() const = 0;
  virtual const PrfKey& fkey() const = 0;
  virtual const DetectableHashKey& hkey() const = 0;
  // Distinct images made synthetic so far under the pinned parameters (never more than s).
  virtual std::uint32_t synthetic_count() const = 0;
  // The newest DB epoch this account has used.
  virtual std::uint64_t epoch_floor() const = 0;

  // The rollback floor: kFailedPrecondition for an epoch older than epoch_floor() (an older
  // signed DB, e.g. one from before a hash was added, replayed to the device); a newer one
  // raises the floor, persisted before returning. kIoError when it cannot be written.
  virtual Status AcceptDbEpoch(std::uint64_t epoch) = 0;

  // DeriveImageChoices(fkey(), base_key, s).
  virtual ImageChoices ChoicesFor(const matcher::MatchKey& base_key) const = 0;

  // DeriveKeyIdentity(fkey(), key): the share x and tag input of a real entry for probe `key`.
  virtual KeyIdentity IdentityOf(const matcher::MatchKey& key) const = 0;

  // The image's role (ImageRole), atomically with recording it: kReal when its draw is >= p_syn;
  // otherwise kSynthetic if it was made synthetic before, or if fewer than s images are
  // synthetic (then recorded, persisted before returning); else kWithheld.
  // Errors: kIoError when the record cannot be written (the decision is then not taken).
  virtual Result<ImageRole> DecideRole(const ImageChoices& choices) = 0;

  // The state for another device, sealed under a 32-byte transport key, or under a passphrase
  // (Argon2id, libsodium's moderate limits: 256 MiB, with a random salt stored in the blob).
  virtual std::vector<std::uint8_t> Export(const AccountStateKey& transport_key,
                                           RandomSource& random) const = 0;
  virtual Result<std::vector<std::uint8_t>> ExportWithPassphrase(std::string_view passphrase,
                                                                 RandomSource& random) const = 0;
};

}  // namespace hashveil::psi
