// The server's per-account store of voucher candidates (docs/design.md sections 5 and 7): SQLite in
// WAL mode, one transaction per voucher or per batch of vouchers, idempotent by (account,
// voucher id).
//
// What it keeps: the DBs it serves, one per epoch (docs/service.md, "DB updates"): the newest is
// current; an older one keeps being accepted until its transition deadline, and a DB older than
// the current one is never added (the server's rollback floor). Per account the ids of the
// vouchers it received with their epochs (so a retried upload counts once), how many were
// refused by the public checks, how many were inconsistent, and for each candidate its epoch,
// share, tag and inner ciphertext (one row per opened entry). A voucher that opened nothing
// leaves only its random id and epoch. Below the threshold, nothing in the store says which
// candidates are real.
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

// The DB parameters the server needs, remembered from the `--db` of each epoch it served.
struct ServedDbParams {
  VoucherShape shape;           // epoch, P, s, DB digest
  std::uint32_t threshold = 0;  // t
  Point public_point;           // L: checked against the server secret
  // p_syn and the match keys' bits k: with t and s they decide whether two epochs' shares
  // combine (docs/protocol.md 3.3). Unknown (empty) for the DB of a store written by schema 2.
  std::optional<std::uint32_t> synthetic_rate_ppm;
  std::optional<std::uint32_t> key_bits;
  friend bool operator==(const ServedDbParams&, const ServedDbParams&) = default;
};

// A DB the store serves or served, with the time (Unix seconds) until which its vouchers are
// accepted: none for the current DB, which is accepted until a newer one is added.
struct ServedDb {
  ServedDbParams params;
  std::optional<std::int64_t> accepted_until;
  // Whether vouchers of this DB are accepted at `now` (Unix seconds).
  bool AcceptsVouchersAt(std::int64_t now) const {
    return !accepted_until.has_value() || now < *accepted_until;
  }
};

// How long the previous DB's vouchers stay accepted after a newer DB is added, by default.
inline constexpr std::int64_t kDefaultTransitionSeconds = 72 * 3600;

struct AccountCounts {
  std::string account;
  std::uint64_t vouchers = 0;         // distinct voucher ids received (refused ones excluded)
  std::uint64_t candidates = 0;       // vouchers that opened (one or more entries)
  // Distinct share x among the opened entries: distinct DB keys matched, plus synthetic ones.
  std::uint64_t distinct_shares = 0;
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

// One opened entry of a voucher (a voucher whose probes opened two DB keys has two).
struct StoredCandidate {
  VoucherId id{};
  Candidate candidate;
  std::uint64_t epoch = 0;  // of the DB the voucher was made for
};

// Threshold processing as a job over buckets (docs/service.md, "PostgreSQL store"): an account
// whose voucher added a candidate is marked dirty in that voucher's transaction; a processor
// claims a bucket, processes its dirty accounts and clears each one's mark once that account's
// result is written. A dirty account as claimed:
struct DirtyAccount {
  AccountCounts counts;  // read with the mark, in one snapshot
  // Which mark was claimed: FinishAccount clears it only if no voucher marked the account again
  // since (then it stays dirty for the next run).
  std::int64_t mark = 0;
};

// A bucket one processor holds, with its dirty accounts sorted by name.
struct ClaimedBucket {
  std::uint32_t bucket = 0;
  std::vector<DirtyAccount> accounts;
};

// Two backends: SQLite (ShareStore::Open, below) and PostgreSQL (OpenShareStore with a URI).
// Thread-compatible: one ShareStore per thread (SQLite serialises writers across processes;
// PostgreSQL's row locks serialise writers of one account).
class ShareStore {
 public:
  // Opens or creates the store. kIoError, kCorrupt (not a share store).
  static Result<std::unique_ptr<ShareStore>> Open(const std::filesystem::path& path);
  virtual ~ShareStore() = default;

  // The current DB (the newest epoch); none before the first AddServedDb.
  Result<std::optional<ServedDbParams>> LoadDbParams();
  // Every DB the store knows, newest epoch first (the first is the current one).
  virtual Result<std::vector<ServedDb>> LoadServedDbs() = 0;
  // Adds a DB at `now` (Unix seconds), in one transaction:
  // - the first DB, or a DB newer than the current one: it becomes current; the previous current
  //   DB stays accepted until now + transition_seconds, every older one until now at the latest
  //   (so at most one older epoch is ever accepted);
  // - the current DB again: nothing changes (a store of schema 2 learns its p_syn and k here);
  // - kFailedPrecondition for another DB with the current epoch, or an older epoch than the
  //   current one (the server's rollback floor). kInvalidInput for a negative transition.
  virtual Status AddServedDb(const ServedDbParams& params, std::int64_t now,
                             std::int64_t transition_seconds) = 0;
  // AddServedDb at the system clock's now with the default transition.
  Status RememberDbParams(const ServedDbParams& params);

  // Stores an opened voucher in one transaction: true when new, false when this account already
  // had this voucher id (nothing changes). kInvalidInput for a bad account name; kIoError.
  Result<bool> Record(std::string_view account, const OpenedVoucher& voucher);
  // Stores every voucher in one transaction (one sync to disk for all): per voucher, in order,
  // true when new, false when its account already had its voucher id, earlier in the batch
  // included. On one database any error stores none of them; a sharded store (one transaction
  // per shard) may have stored the parts on other shards, which a retry then finds as repeats,
  // so every voucher is still counted once. kInvalidInput for a bad account name; kIoError.
  virtual Result<std::vector<bool>> RecordAll(std::span<const AccountVoucher> vouchers) = 0;
  // Counts one refused voucher for the account.
  virtual Status RecordRefused(std::string_view account) = 0;

  // Every account, sorted by name.
  virtual Result<std::vector<AccountCounts>> ListAccounts() = 0;
  // The account's candidates, of every epoch, in the order they arrived. kCorrupt if a stored
  // row is malformed.
  virtual Result<std::vector<StoredCandidate>> LoadCandidates(std::string_view account) = 0;

  // The processing job. PostgreSQL keeps marks and locks buckets across processes. The defaults
  // are SQLite's, which keeps no marks: the store is one bucket, 0, whose dirty accounts are
  // all its accounts, every claim succeeds and finishing clears nothing (every run processes
  // every account, as before the job existed).
  //
  // The buckets that hold dirty accounts, ascending.
  virtual Result<std::vector<std::uint32_t>> DirtyBuckets();
  // Takes `bucket` for this store until ReleaseBucket, or until its connection ends (a processor
  // that dies loses its claims), and lists its dirty accounts; none when another processor holds
  // it. At most one bucket at a time.
  virtual Result<std::optional<ClaimedBucket>> ClaimBucket(std::uint32_t bucket);
  // In one transaction: clears the account's mark if it is still the claimed one. kIoError when
  // the claim was lost with the connection (the mark stays).
  virtual Status FinishAccount(std::uint32_t bucket, const DirtyAccount& account);
  // Lets other processors take the bucket.
  virtual Status ReleaseBucket(std::uint32_t bucket);
};

// Whether a --store value is a libpq connection URI (postgresql:// or postgres://).
bool IsPostgresStoreUri(std::string_view location);

// Opens the store a --store value names: a libpq URI (IsPostgresStoreUri) the PostgreSQL store
// (psi/postgres_share_store.h), anything else the SQLite file at that path (ShareStore::Open).
// The errors of either.
Result<std::unique_ptr<ShareStore>> OpenShareStore(const std::string& location);

}  // namespace hashveil::psi
