// hashveil::Scanner: the whole device side of a messenger's send path behind one object.
//
// Per image: decode (bounded) -> PDQ hash, quality and bit margins -> the small grey visual
// derivative -> one safety voucher (psi::VoucherBuilder) against the signed client DB, with the
// account's state. The app sends the returned bytes beside the end-to-end encrypted image; the
// device never learns whether the image matched.
//
// Thread safety: Create does all the work that can fail (loads and verifies the DB, opens or
// creates the account state); afterwards a Scanner is immutable from the caller's view and Scan /
// ScanPixels may be called concurrently from any number of threads (the account state serialises
// its one mutable step, recording a synthetic decision, under its own mutex). One Scanner per
// account state file per process: the file stays locked while the Scanner lives.
//
// No function throws; each returns a Status or Result whose code is listed below.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/matcher/image_view.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "hashveil/psi/account_state.h"
#include "hashveil/psi/voucher.h"

namespace hashveil {

struct ScannerOptions {
  std::filesystem::path db_path;            // the signed client DB (.hvdb)
  hashdb::PublisherPublicKey publisher{};   // its publisher's Ed25519 key, shipped with the app
  std::filesystem::path account_state_path; // created on first use
  psi::AccountStateKey account_key;         // encrypts the state at rest (platform keystore)
  // The name the voucher service files this account's vouchers under (the {account} of
  // POST /v1/accounts/{account}/vouchers): bound into every voucher, so a voucher filed under
  // another account opens nothing. 1..128 characters from [A-Za-z0-9._-].
  std::string account_name;
  // The weakest t, p_syn and s this client accepts from a signed DB (psi::PrivacyFloor).
  psi::PrivacyFloor privacy_floor;
  // Today, for the DB's expiry; injectable for tests.
  std::function<std::chrono::system_clock::time_point()> clock = std::chrono::system_clock::now;
  // Bounds and mode of Scan's decoding. `dihedral` is ignored: vouchers use the image as sent.
  matcher::DecodeOptions decode;
};

class Scanner {
 public:
  // Loads and verifies the DB (ClientDb::Load; the per-point checks only for a file this
  // account's device has not checked before: docs/api.md, "Start-up"), checks that it has not
  // expired and that its privacy parameters are at or above options.privacy_floor, then opens
  // the account state or creates it (rotating its secrets when the DB's parameters differ from
  // the ones it is pinned to) and checks the DB's epoch against the account's rollback floor.
  // Errors: from the DB: kNotFound, kIoError, kUnsupported, kCorrupt (bad signature or
  // structure), kFailedPrecondition (expired, below the privacy floor, older than a DB this
  // account already used); from the account state: kCorrupt (wrong key, altered file),
  // kUnsupported (older format), kFailedPrecondition (in use by another process), kIoError;
  // kInvalidInput when the DB's parameters are out of the voucher format's range or the account
  // name is not valid.
  static Result<std::unique_ptr<Scanner>> Create(const ScannerOptions& options);

  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // The voucher for an encoded image (JPEG, PNG, WebP, BMP, TIFF) with the caller's `metadata`
  // (at most psi::kMaxVoucherMetadataBytes, revealed only with the payload after the account
  // crosses the threshold). Always voucher_size() bytes.
  // Errors: kInvalidInput (metadata too long), kUnsupported (image format), kResourceExhausted
  // (more pixels than options.decode.max_pixels), kCorrupt (truncated or malformed image),
  // kIoError (the account state could not record a synthetic decision), kInternal.
  Result<std::vector<std::uint8_t>> Scan(std::span<const std::uint8_t> image_bytes,
                                         std::span<const std::uint8_t> metadata) const;

  // As Scan, for apps that already hold decoded pixels (camera frames, a platform decoder).
  // Errors: kInvalidInput (metadata too long; null, empty or badly strided view), kIoError,
  // kInternal.
  Result<std::vector<std::uint8_t>> ScanPixels(const matcher::ImageView& image,
                                               std::span<const std::uint8_t> metadata) const;

  // Every voucher's length in bytes (fixed by the DB's parameters).
  std::size_t voucher_size() const;
  // The verified DB's parameters (threshold, epoch, key scheme...).
  const hashdb::ClientDbParams& db_params() const;
  // True when Create generated a new account state (first use on this device).
  bool account_created() const;
  // True when Create found the account state pinned to other DB parameters and rotated it.
  bool account_rotated() const;

 private:
  struct Parts;
  explicit Scanner(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace hashveil
