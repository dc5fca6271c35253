#include "hashveil/psi/share_store.h"

#include <sqlite3.h>

#include <chrono>
#include <string>

#include "hashveil/common/secret_file.h"
#include "share_store_rows.h"
#include "share_store_schema.h"

namespace hashveil::psi {
namespace {

Status SqliteError(sqlite3* db, const char* doing) {
  const int code = sqlite3_errcode(db);
  if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
    return Status::Corrupt("share store file is not a share store");
  }
  return Status::IoError(std::string(doing) + " the share store failed: " + sqlite3_errmsg(db));
}

// A prepared statement, finalised on every path out.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    ok_ = sqlite3_prepare_v2(db, sql, -1, &handle_, nullptr) == SQLITE_OK;
  }
  ~Statement() { sqlite3_finalize(handle_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, std::int64_t value) {
    if (ok_) sqlite3_bind_int64(handle_, index, value);
    return *this;
  }
  Statement& Bind(int index, std::string_view text) {
    if (ok_) sqlite3_bind_text(handle_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int index, std::span<const std::uint8_t> blob) {
    if (ok_) sqlite3_bind_blob(handle_, index, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // NULL when empty.
  Statement& Bind(int index, const std::optional<std::uint32_t>& value) {
    if (ok_ && value) sqlite3_bind_int64(handle_, index, *value);
    if (ok_ && !value) sqlite3_bind_null(handle_, index);
    return *this;
  }
  // Ready to run again with new bindings.
  Statement& Reset() {
    if (ok_) {
      sqlite3_reset(handle_);
      sqlite3_clear_bindings(handle_);
    }
    return *this;
  }
  // True for a row, false when done.
  Result<bool> Step(const char* doing) {
    if (!ok_) return SqliteError(db_, doing);
    const int rc = sqlite3_step(handle_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteError(db_, doing);
  }
  std::int64_t Int(int column) const { return sqlite3_column_int64(handle_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(handle_, column) == SQLITE_NULL; }
  std::span<const std::uint8_t> Blob(int column) const {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(handle_, column));
    return {data, static_cast<std::size_t>(sqlite3_column_bytes(handle_, column))};
  }
  std::string Text(int column) const {
    const auto* text = sqlite3_column_text(handle_, column);
    return text ? std::string(reinterpret_cast<const char*>(text)) : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* handle_ = nullptr;
  bool ok_ = false;
};

class SqliteShareStore final : public ShareStore {
 public:
  explicit SqliteShareStore(sqlite3* db) : db_(db) {}
  ~SqliteShareStore() override { sqlite3_close(db_); }

  Status Initialise() {
    sqlite3_busy_timeout(db_, 10'000);
    HV_RETURN_IF_ERROR(Exec("PRAGMA journal_mode = WAL"));
    HV_RETURN_IF_ERROR(Exec("PRAGMA synchronous = FULL"));
    // The version is read inside the write transaction, not before it: a connection that holds
    // a read transaction (an unfinished statement) and then asks for the write lock gets
    // SQLITE_BUSY at once, without the busy timeout, whenever another connection is writing.
    HV_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    return Finish(CreateOrMigrateShareStoreSchema(db_));
  }

  Result<std::vector<ServedDb>> LoadServedDbs() override {
    Statement select(db_, "SELECT epoch, entry_count, synthetic_max, threshold, public_point, "
                          "db_digest, synthetic_rate_ppm, key_bits, accepted_until "
                          "FROM served_dbs ORDER BY epoch DESC");
    std::vector<ServedDb> dbs;
    while (true) {
      HV_ASSIGN_OR_RETURN(const bool row, select.Step("reading"));
      if (!row) return dbs;
      ServedDbRow stored{.epoch = select.Int(0),
                         .entry_count = select.Int(1),
                         .synthetic_max = select.Int(2),
                         .threshold = select.Int(3),
                         .public_point = select.Blob(4),
                         .db_digest = select.Blob(5)};
      if (!select.IsNull(6)) stored.synthetic_rate_ppm = select.Int(6);
      if (!select.IsNull(7)) stored.key_bits = select.Int(7);
      if (!select.IsNull(8)) stored.accepted_until = select.Int(8);
      HV_ASSIGN_OR_RETURN(ServedDb db, DecodeServedDb(stored));
      dbs.push_back(std::move(db));
    }
  }

  Status AddServedDb(const ServedDbParams& params, std::int64_t now,
                     std::int64_t transition_seconds) override {
    if (transition_seconds < 0) return Status::InvalidInput("transition must not be negative");
    HV_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    return Finish(AddInTransaction(params, now, transition_seconds));
  }

  Result<std::vector<bool>> RecordAll(std::span<const AccountVoucher> vouchers) override {
    HV_RETURN_IF_ERROR(CheckAccountNames(vouchers));
    HV_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    auto stored = RecordInTransaction(vouchers);
    HV_RETURN_IF_ERROR(Finish(stored.status()));
    return stored;
  }

  Status RecordRefused(std::string_view account) override {
    if (!IsValidAccountName(account)) return Status::InvalidInput("account name is not valid");
    Statement upsert(db_, "INSERT INTO accounts (name, refused) VALUES (?, 1) "
                          "ON CONFLICT (name) DO UPDATE SET refused = refused + 1");
    upsert.Bind(1, account);
    return upsert.Step("writing").status();
  }

  Result<std::vector<AccountCounts>> ListAccounts() override {
    Statement select(
        db_,
        "SELECT a.name, a.refused, a.inconsistent,"
        " (SELECT count(*) FROM vouchers v WHERE v.account = a.name),"
        " (SELECT count(DISTINCT voucher_id) FROM candidates c WHERE c.account = a.name),"
        " (SELECT count(DISTINCT share_x) FROM candidates c WHERE c.account = a.name)"
        " FROM accounts a ORDER BY a.name");
    std::vector<AccountCounts> accounts;
    while (true) {
      HV_ASSIGN_OR_RETURN(const bool row, select.Step("reading"));
      if (!row) return accounts;
      accounts.push_back({.account = select.Text(0),
                          .vouchers = static_cast<std::uint64_t>(select.Int(3)),
                          .candidates = static_cast<std::uint64_t>(select.Int(4)),
                          .distinct_shares = static_cast<std::uint64_t>(select.Int(5)),
                          .refused = static_cast<std::uint64_t>(select.Int(1)),
                          .inconsistent = static_cast<std::uint64_t>(select.Int(2))});
    }
  }

  Result<std::vector<StoredCandidate>> LoadCandidates(std::string_view account) override {
    HV_ASSIGN_OR_RETURN(const auto dbs, LoadServedDbs());
    const auto synthetic_max = SyntheticMaxByEpoch(dbs);
    Statement select(db_, "SELECT voucher_id, share_x, share_y, tag, adct, epoch FROM candidates "
                          "WHERE account = ? ORDER BY seq");
    select.Bind(1, account);
    std::vector<StoredCandidate> candidates;
    while (true) {
      HV_ASSIGN_OR_RETURN(const bool row, select.Step("reading"));
      if (!row) return candidates;
      HV_ASSIGN_OR_RETURN(StoredCandidate stored, DecodeCandidate({.voucher_id = select.Blob(0),
                                                                   .share_x = select.Blob(1),
                                                                   .share_y = select.Blob(2),
                                                                   .tag = select.Blob(3),
                                                                   .adct = select.Blob(4),
                                                                   .epoch = select.Int(5)},
                                                                  synthetic_max));
      candidates.push_back(std::move(stored));
    }
  }

 private:
  Status Exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      return SqliteError(db_, "updating");
    }
    return Status::Ok();
  }

  // Commits after `status` is OK, else rolls back; returns the first error.
  Status Finish(const Status& status) {
    if (!status.ok()) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return status;
    }
    const Status committed = Exec("COMMIT");
    if (!committed.ok()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return committed;
  }

  // Inside a write transaction: the rules of AddServedDb.
  Status AddInTransaction(const ServedDbParams& params, std::int64_t now,
                          std::int64_t transition_seconds) {
    HV_ASSIGN_OR_RETURN(const auto dbs, LoadServedDbs());
    HV_ASSIGN_OR_RETURN(const AddServedDbStep step, DecideAddServedDb(dbs, params));
    if (step == AddServedDbStep::kNothing) return Status::Ok();
    if (step == AddServedDbStep::kLearnUnknowns) {
      Statement update(db_,
                       "UPDATE served_dbs SET synthetic_rate_ppm = ?, key_bits = ? "
                       "WHERE epoch = ?");
      update.Bind(1, params.synthetic_rate_ppm)
          .Bind(2, params.key_bits)
          .Bind(3, static_cast<std::int64_t>(params.shape.epoch));
      return update.Step("writing").status();
    }
    if (step == AddServedDbStep::kAddNewer) {
      // The previous current DB gets the transition; every older one is closed by now.
      Statement close(db_, "UPDATE served_dbs SET accepted_until = CASE"
                           " WHEN epoch = ? THEN ? ELSE min(coalesce(accepted_until, ?), ?) END");
      close.Bind(1, static_cast<std::int64_t>(dbs.front().params.shape.epoch))
          .Bind(2, now + transition_seconds)
          .Bind(3, now)
          .Bind(4, now);
      HV_RETURN_IF_ERROR(close.Step("writing").status());
    }
    Statement insert(db_, "INSERT INTO served_dbs (epoch, entry_count, synthetic_max, threshold, "
                          "public_point, db_digest, synthetic_rate_ppm, key_bits) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.Bind(1, static_cast<std::int64_t>(params.shape.epoch))
        .Bind(2, std::int64_t{params.shape.entry_count})
        .Bind(3, std::int64_t{params.shape.synthetic_max})
        .Bind(4, std::int64_t{params.threshold})
        .Bind(5, std::span<const std::uint8_t>(params.public_point.bytes))
        .Bind(6, std::span<const std::uint8_t>(params.shape.db_digest))
        .Bind(7, params.synthetic_rate_ppm)
        .Bind(8, params.key_bits);
    return insert.Step("writing").status();
  }

  // The statements are prepared once per transaction and reset for each voucher.
  Result<std::vector<bool>> RecordInTransaction(std::span<const AccountVoucher> vouchers) {
    Statement add_account(db_, "INSERT OR IGNORE INTO accounts (name) VALUES (?)");
    Statement add_voucher(db_, "INSERT OR IGNORE INTO vouchers (account, voucher_id, epoch) "
                               "VALUES (?, ?, ?)");
    Statement add_candidate(db_, "INSERT INTO candidates (account, voucher_id, share_x, share_y, "
                                 "tag, adct, epoch) VALUES (?, ?, ?, ?, ?, ?, ?)");
    Statement count_inconsistent(db_, "UPDATE accounts SET inconsistent = inconsistent + 1 "
                                      "WHERE name = ?");
    std::vector<bool> added;
    added.reserve(vouchers.size());
    for (const auto& [account, voucher] : vouchers) {
      const std::span<const std::uint8_t> id(voucher.header.id);
      const auto epoch = static_cast<std::int64_t>(voucher.header.epoch);
      HV_RETURN_IF_ERROR(add_account.Reset().Bind(1, account).Step("writing").status());
      HV_RETURN_IF_ERROR(
          add_voucher.Reset().Bind(1, account).Bind(2, id).Bind(3, epoch).Step("writing").status());
      // No change: this account already sent this voucher.
      added.push_back(sqlite3_changes(db_) != 0);
      if (!added.back()) continue;
      if (voucher.inconsistency != nullptr) {
        HV_RETURN_IF_ERROR(count_inconsistent.Reset().Bind(1, account).Step("writing").status());
      }
      for (const Candidate& candidate : voucher.candidates) {
        const std::vector<std::uint8_t> tag = EncodeTag(candidate.tag);
        add_candidate.Reset()
            .Bind(1, account)
            .Bind(2, id)
            .Bind(3, candidate.share.x.bytes())
            .Bind(4, candidate.share.y.bytes())
            .Bind(5, std::span<const std::uint8_t>(tag))
            .Bind(6, std::span<const std::uint8_t>(candidate.adct))
            .Bind(7, epoch);
        HV_RETURN_IF_ERROR(add_candidate.Step("writing").status());
      }
    }
    return added;
  }

  sqlite3* db_;
};

}  // namespace

Result<bool> ShareStore::Record(std::string_view account, const OpenedVoucher& voucher) {
  const AccountVoucher one{.account = account, .voucher = voucher};
  HV_ASSIGN_OR_RETURN(const std::vector<bool> added, RecordAll({&one, 1}));
  return added.front();
}

Result<std::optional<ServedDbParams>> ShareStore::LoadDbParams() {
  HV_ASSIGN_OR_RETURN(const auto dbs, LoadServedDbs());
  if (dbs.empty()) return std::optional<ServedDbParams>();
  return std::optional<ServedDbParams>(dbs.front().params);
}

Status ShareStore::RememberDbParams(const ServedDbParams& params) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return AddServedDb(params, now.count(), kDefaultTransitionSeconds);
}

Result<std::vector<std::uint32_t>> ShareStore::DirtyBuckets() {
  return std::vector<std::uint32_t>{0};
}

Result<std::optional<ClaimedBucket>> ShareStore::ClaimBucket(std::uint32_t bucket) {
  HV_ASSIGN_OR_RETURN(auto accounts, ListAccounts());
  ClaimedBucket claimed{.bucket = bucket};
  for (AccountCounts& counts : accounts) claimed.accounts.push_back({.counts = std::move(counts)});
  return std::optional<ClaimedBucket>(std::move(claimed));
}

Status ShareStore::FinishAccount(std::uint32_t, const DirtyAccount&) { return Status::Ok(); }

Status ShareStore::ReleaseBucket(std::uint32_t) { return Status::Ok(); }

Result<std::unique_ptr<ShareStore>> ShareStore::Open(const std::filesystem::path& path) {
  // Created 0600 here rather than by SQLite (umask's 0644), and never another user's file or a
  // symbolic link: the store holds every account's candidates, and SQLite gives its WAL and
  // shared-memory files the database file's mode (docs/threat-model.md, "Files and modes").
  HV_RETURN_IF_ERROR(EnsureOwnerOnlyDatabase(path).WithContext("share store"));
  sqlite3* db = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &db,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nullptr);
  auto store = std::make_unique<SqliteShareStore>(db);
  if (opened != SQLITE_OK) return Status::IoError("cannot open the share store");
  HV_RETURN_IF_ERROR(store->Initialise());
  return std::unique_ptr<ShareStore>(std::move(store));
}

}  // namespace hashveil::psi
