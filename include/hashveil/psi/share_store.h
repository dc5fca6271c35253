// The server's per-account store of voucher candidates (docs/design.md sections 5 and 7): SQLite in
// WAL mode, one transaction per voucher or per batch of vouchers, idempotent by (account,
// voucher id).
//
// What it keeps: the DB parameters it serves (one DB epoch per store, with its digest); per
// account the ids of the vouchers it received (so a retried upload counts once), how many were
// refused by the public checks, how many were inconsistent, and for each candidate its share,
// tag and inner ciphertext. A voucher that opened nothing leaves only
// its random id. Below the threshold, nothing in the store says which candidates are real.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/psi/group.h"
#include "hashveil/psi/voucher.h"
#include "hashveil/psi/voucher_opener.h"

namespace hashveil::psi {

// The DB parameters the server needs, remembered from the first `--db` it was given.
struct ServedDbParams {
  VoucherShape shape;           // epoch, P*c, s, DB digest
  std::uint32_t threshold = 0;  // t
  Point public_point;           // L: checked against the server secret
  friend bool operator==(const ServedDbParams&, const ServedDbParams&) = default;
};

struct AccountCounts {
  std::string account;
  std::uint64_t vouchers = 0;         // distinct voucher ids received (refused ones excluded)
  std::uint64_t candidates = 0;       // vouchers that opened
  std::uint64_t distinct_shares = 0;  // candidates with distinct share x (distinct images)
  std::uint64_t refused = 0;          // vouchers refused by the public checks (never opened)
  // Vouchers whose entries opened but made no well-formed candidate (OpenedVoucher::
  // inconsistency): accepted like any other, so the client learns nothing; counted here only.
  std::uint64_t inconsistent = 0;
};

// One voucher of a batch committed together (ShareStore::RecordAll).
struct AccountVoucher {
  std::string_view account;
  const OpenedVoucher& voucher;
};

struct StoredCandidate {
  VoucherId id{};
  Candidate candidate;
};

// Thread-compatible: one ShareStore per thread (SQLite serialises writers across processes).
class ShareStore {
 public:
  // Opens or creates the store. kIoError, kCorrupt (not a share store).
  static Result<std::unique_ptr<ShareStore>> Open(const std::filesystem::path& path);
  virtual ~ShareStore() = default;

  // None before RememberDbParams was first called.
  virtual Result<std::optional<ServedDbParams>> LoadDbParams() = 0;
  // Records the parameters on first use; afterwards kFailedPrecondition unless they are equal
  // (a store serves one DB epoch).
  virtual Status RememberDbParams(const ServedDbParams& params) = 0;

  // Stores an opened voucher in one transaction: true when new, false when this account already
  // had this voucher id (nothing changes). kInvalidInput for a bad account name; kIoError.
  Result<bool> Record(std::string_view account, const OpenedVoucher& voucher);
  // Stores every voucher in one transaction (one sync to disk for all): per voucher, in order,
  // true when new, false when its account already had its voucher id, earlier in the batch
  // included. Any error stores none of them. kInvalidInput for a bad account name; kIoError.
  virtual Result<std::vector<bool>> RecordAll(std::span<const AccountVoucher> vouchers) = 0;
  // Counts one refused voucher for the account.
  virtual Status RecordRefused(std::string_view account) = 0;

  // Every account, sorted by name.
  virtual Result<std::vector<AccountCounts>> ListAccounts() = 0;
  // The account's candidates in the order they arrived. kCorrupt if a stored row is malformed.
  virtual Result<std::vector<StoredCandidate>> LoadCandidates(std::string_view account) = 0;
};

}  // namespace hashveil::psi
