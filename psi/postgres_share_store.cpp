#include "postgres_share_store.h"

#include <algorithm>
#include <deque>
#include <numeric>
#include <tuple>

#include "account_bucket.h"
#include "pg_connection.h"
#include "postgres_share_store_schema.h"
#include "share_store_rows.h"

namespace hashveil::psi {
namespace {

constexpr PgStatement kSelectDbs{
    "hv_select_dbs",
    "SELECT epoch, entry_count, synthetic_max, threshold, public_point, db_digest,"
    " synthetic_rate_ppm, key_bits, accepted_until FROM served_dbs ORDER BY epoch DESC"};
constexpr PgStatement kLearnUnknowns{
    "hv_learn_unknowns",
    "UPDATE served_dbs SET synthetic_rate_ppm = $1, key_bits = $2 WHERE epoch = $3"};
// The previous current DB ($1) gets the transition; every older one is closed by now ($3).
constexpr PgStatement kCloseDbs{
    "hv_close_dbs",
    "UPDATE served_dbs SET accepted_until = CASE"
    " WHEN epoch = $1 THEN $2 ELSE least(coalesce(accepted_until, $3), $3) END"};
constexpr PgStatement kInsertDb{
    "hv_insert_db",
    "INSERT INTO served_dbs (epoch, entry_count, synthetic_max, threshold, public_point,"
    " db_digest, synthetic_rate_ppm, key_bits) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
constexpr PgStatement kAddAccount{
    "hv_add_account", "INSERT INTO accounts (bucket, name) VALUES ($1, $2) ON CONFLICT DO NOTHING"};
constexpr PgStatement kAddVoucher{
    "hv_add_voucher",
    "INSERT INTO vouchers (bucket, account, voucher_id, epoch) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT DO NOTHING"};
constexpr PgStatement kAddCandidate{
    "hv_add_candidate",
    "INSERT INTO candidates (bucket, account, voucher_id, share_x, share_y, tag, adct, epoch)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
constexpr PgStatement kCountInconsistent{
    "hv_count_inconsistent",
    "UPDATE accounts SET inconsistent = inconsistent + $3 WHERE bucket = $1 AND name = $2"};
constexpr PgStatement kCountRefused{
    "hv_count_refused",
    "INSERT INTO accounts (bucket, name, refused) VALUES ($1, $2, 1)"
    " ON CONFLICT (bucket, name) DO UPDATE SET refused = accounts.refused + 1"};
// An account's name and AccountCounts (CountsAt reads them), from its `accounts` row `a`.
#define HV_ACCOUNT_COUNTS                                                                \
  "a.name, a.refused, a.inconsistent,"                                                   \
  " (SELECT count(*) FROM vouchers v WHERE v.bucket = a.bucket AND v.account = a.name)," \
  " (SELECT count(DISTINCT voucher_id) FROM candidates c"                                \
  "  WHERE c.bucket = a.bucket AND c.account = a.name),"                                 \
  " (SELECT count(DISTINCT share_x) FROM candidates c"                                   \
  "  WHERE c.bucket = a.bucket AND c.account = a.name)"
constexpr PgStatement kListAccounts{"hv_list_accounts",
                                    "SELECT " HV_ACCOUNT_COUNTS " FROM accounts a ORDER BY a.name"};
// The processing job (ShareStore::ClaimBucket). A new mark replaces a claimed one, so that
// processor's FinishAccount leaves the account dirty.
constexpr PgStatement kMarkDirty{
    "hv_mark_dirty",
    "INSERT INTO dirty_accounts (bucket, account, mark) VALUES ($1, $2, nextval('dirty_marks'))"
    " ON CONFLICT (bucket, account) DO UPDATE SET mark = excluded.mark"};
constexpr PgStatement kDirtyBuckets{
    "hv_dirty_buckets", "SELECT DISTINCT bucket::bigint FROM dirty_accounts ORDER BY 1"};
constexpr PgStatement kDirtyAccounts{
    "hv_dirty_accounts", "SELECT " HV_ACCOUNT_COUNTS
                         ", d.mark FROM dirty_accounts d"
                         " JOIN accounts a ON a.bucket = d.bucket AND a.name = d.account"
                         " WHERE d.bucket = $1 ORDER BY a.name"};
#undef HV_ACCOUNT_COUNTS
constexpr PgStatement kClearMark{
    "hv_clear_mark", "DELETE FROM dirty_accounts WHERE bucket = $1 AND account = $2 AND mark = $3"};
// Bucket locks are session-level advisory locks keyed (HV_BUCKET_LOCK_CLASS, bucket): held
// across the bucket's per-account transactions and released by the server when the session
// ends, so a processor that dies frees its bucket and nothing else does. "hvpr" in ASCII; the
// two-integer key space is apart from the schema lock's one bigint.
#define HV_BUCKET_LOCK_CLASS "1752592498"
constexpr PgStatement kTryLockBucket{"hv_try_lock_bucket",
                                     "SELECT pg_try_advisory_lock(" HV_BUCKET_LOCK_CLASS
                                     ", $1::integer)::integer::bigint"};
constexpr PgStatement kUnlockBucket{"hv_unlock_bucket",
                                    "SELECT pg_advisory_unlock(" HV_BUCKET_LOCK_CLASS
                                    ", $1::integer)::integer::bigint"};
constexpr PgStatement kHoldsBucket{
    "hv_holds_bucket",
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND classid::bigint = " HV_BUCKET_LOCK_CLASS
    " AND objid::bigint = $1 AND objsubid = 2"};
#undef HV_BUCKET_LOCK_CLASS
constexpr PgStatement kSelectCandidates{
    "hv_select_candidates",
    "SELECT voucher_id, share_x, share_y, tag, adct, epoch FROM candidates"
    " WHERE bucket = $1 AND account = $2 ORDER BY seq"};

// Serialises AddServedDb across processes (as SQLite's BEGIN IMMEDIATE does); readers go on.
constexpr const char* kLockServedDbs = "LOCK TABLE served_dbs IN SHARE ROW EXCLUSIVE MODE";

class PostgresShareStore final : public ShareStore {
 public:
  // `served_dbs`: where the served DBs are kept, when not in this database (a shard's are in
  // its directory, sharded_share_store.h); it must outlive this store.
  PostgresShareStore(std::unique_ptr<PgConnection> connection, const BucketKey& bucket_key,
                     ShareStore* served_dbs = nullptr)
      : connection_(std::move(connection)), bucket_key_(bucket_key), served_dbs_(served_dbs) {}

  Result<std::vector<ServedDb>> LoadServedDbs() override {
    if (served_dbs_ != nullptr) return served_dbs_->LoadServedDbs();
    HV_ASSIGN_OR_RETURN(const PgRows rows, connection_->Run(kSelectDbs, PgParams(), "reading"));
    std::vector<ServedDb> dbs;
    for (int row = 0; row < rows.size(); ++row) {
      ServedDbRow stored{.public_point = rows.Bytes(row, 4), .db_digest = rows.Bytes(row, 5)};
      HV_ASSIGN_OR_RETURN(stored.epoch, rows.Int(row, 0));
      HV_ASSIGN_OR_RETURN(stored.entry_count, rows.Int(row, 1));
      HV_ASSIGN_OR_RETURN(stored.synthetic_max, rows.Int(row, 2));
      HV_ASSIGN_OR_RETURN(stored.threshold, rows.Int(row, 3));
      HV_ASSIGN_OR_RETURN(stored.synthetic_rate_ppm, NullableInt(rows, row, 6));
      HV_ASSIGN_OR_RETURN(stored.key_bits, NullableInt(rows, row, 7));
      HV_ASSIGN_OR_RETURN(stored.accepted_until, NullableInt(rows, row, 8));
      HV_ASSIGN_OR_RETURN(ServedDb db, DecodeServedDb(stored));
      dbs.push_back(std::move(db));
    }
    return dbs;
  }

  Status AddServedDb(const ServedDbParams& params, std::int64_t now,
                     std::int64_t transition_seconds) override {
    if (transition_seconds < 0) return Status::InvalidInput("transition must not be negative");
    if (served_dbs_ != nullptr) return served_dbs_->AddServedDb(params, now, transition_seconds);
    return connection_->InTransaction(
        [&] { return AddInTransaction(params, now, transition_seconds); });
  }

  // One transaction of two round trips, whatever the batch's size: one pipeline, after BEGIN,
  // adds the accounts and voucher rows and so learns which vouchers are new; a second one adds
  // what the new ones bring, then COMMIT (alone when none is new).
  Result<std::vector<bool>> RecordAll(std::span<const AccountVoucher> vouchers) override {
    HV_RETURN_IF_ERROR(CheckAccountNames(vouchers));
    const Batch batch = Sorted(vouchers);
    std::vector<bool> added(vouchers.size());
    HV_RETURN_IF_ERROR(connection_->InTransaction([&]() -> Status {
      HV_RETURN_IF_ERROR(AddVouchers(batch, added));
      return AddWhatNewVouchersBring(batch, added);
    }));
    return added;
  }

  Status RecordRefused(std::string_view account) override {
    if (!IsValidAccountName(account)) return Status::InvalidInput("account name is not valid");
    return connection_->Run(kCountRefused, PgParams().Int(Bucket(account)).Text(account), "writing")
        .status();
  }

  Result<std::vector<AccountCounts>> ListAccounts() override {
    HV_ASSIGN_OR_RETURN(const PgRows rows, connection_->Run(kListAccounts, PgParams(), "reading"));
    std::vector<AccountCounts> accounts;
    for (int row = 0; row < rows.size(); ++row) {
      HV_ASSIGN_OR_RETURN(AccountCounts counts, CountsAt(rows, row));
      accounts.push_back(std::move(counts));
    }
    return accounts;
  }

  Result<std::vector<std::uint32_t>> DirtyBuckets() override {
    HV_ASSIGN_OR_RETURN(const PgRows rows, connection_->Run(kDirtyBuckets, PgParams(), "reading"));
    std::vector<std::uint32_t> buckets;
    for (int row = 0; row < rows.size(); ++row) {
      HV_ASSIGN_OR_RETURN(const std::int64_t bucket, rows.Int(row, 0));
      buckets.push_back(static_cast<std::uint32_t>(bucket));
    }
    return buckets;
  }

  Result<std::optional<ClaimedBucket>> ClaimBucket(std::uint32_t bucket) override {
    HV_ASSIGN_OR_RETURN(const PgRows locked,
                        connection_->Run(kTryLockBucket, PgParams().Int(bucket), "locking"));
    HV_ASSIGN_OR_RETURN(const std::int64_t taken, locked.Int(0, 0));
    if (taken == 0) return std::optional<ClaimedBucket>();
    // Read after the lock is held: what an earlier holder finished is gone from the list.
    auto claimed = DirtyAccountsOf(bucket);
    if (!claimed.ok()) {
      (void)ReleaseBucket(bucket);
      return claimed.status();
    }
    return std::optional<ClaimedBucket>(std::move(claimed).value());
  }

  Status FinishAccount(std::uint32_t bucket, const DirtyAccount& account) override {
    return connection_->InTransaction([&]() -> Status {
      // The claim is lost if the connection was opened again since (the server restarted):
      // another processor may hold the bucket now.
      HV_ASSIGN_OR_RETURN(const PgRows held,
                          connection_->Run(kHoldsBucket, PgParams().Int(bucket), "reading"));
      HV_ASSIGN_OR_RETURN(const std::int64_t holds, held.Int(0, 0));
      if (holds == 0) {
        return Status::IoError("the share store's connection was lost while processing");
      }
      return connection_
          ->Run(kClearMark, PgParams().Int(bucket).Text(account.counts.account).Int(account.mark),
                "writing")
          .status();
    });
  }

  Status ReleaseBucket(std::uint32_t bucket) override {
    return connection_->Run(kUnlockBucket, PgParams().Int(bucket), "unlocking").status();
  }

  Result<std::vector<StoredCandidate>> LoadCandidates(std::string_view account) override {
    // No such account can have been stored (nor is its name valid text for PostgreSQL).
    if (!IsValidAccountName(account)) return std::vector<StoredCandidate>();
    HV_ASSIGN_OR_RETURN(const auto dbs, LoadServedDbs());
    const auto synthetic_max = SyntheticMaxByEpoch(dbs);
    HV_ASSIGN_OR_RETURN(const PgRows rows,
                        connection_->Run(kSelectCandidates,
                                         PgParams().Int(Bucket(account)).Text(account), "reading"));
    std::vector<StoredCandidate> candidates;
    for (int row = 0; row < rows.size(); ++row) {
      HV_ASSIGN_OR_RETURN(const std::int64_t epoch, rows.Int(row, 5));
      HV_ASSIGN_OR_RETURN(StoredCandidate stored, DecodeCandidate({.voucher_id = rows.Bytes(row, 0),
                                                                   .share_x = rows.Bytes(row, 1),
                                                                   .share_y = rows.Bytes(row, 2),
                                                                   .tag = rows.Bytes(row, 3),
                                                                   .adct = rows.Bytes(row, 4),
                                                                   .epoch = epoch},
                                                                  synthetic_max));
      candidates.push_back(std::move(stored));
    }
    return candidates;
  }

 private:
  static Result<std::optional<std::int64_t>> NullableInt(const PgRows& rows, int row, int column) {
    if (rows.IsNull(row, column)) return std::optional<std::int64_t>();
    HV_ASSIGN_OR_RETURN(const std::int64_t value, rows.Int(row, column));
    return std::optional<std::int64_t>(value);
  }

  // The name and AccountCounts of HV_ACCOUNT_COUNTS, columns 0-5 of `row`.
  static Result<AccountCounts> CountsAt(const PgRows& rows, int row) {
    std::int64_t counts[5];
    for (int column = 1; column <= 5; ++column) {
      HV_ASSIGN_OR_RETURN(counts[column - 1], rows.Int(row, column));
    }
    return AccountCounts{.account = rows.Text(row, 0),
                         .vouchers = static_cast<std::uint64_t>(counts[2]),
                         .candidates = static_cast<std::uint64_t>(counts[3]),
                         .distinct_shares = static_cast<std::uint64_t>(counts[4]),
                         .refused = static_cast<std::uint64_t>(counts[0]),
                         .inconsistent = static_cast<std::uint64_t>(counts[1])};
  }

  // The bucket's dirty accounts with their counts and marks, read in one snapshot.
  Result<ClaimedBucket> DirtyAccountsOf(std::uint32_t bucket) {
    HV_ASSIGN_OR_RETURN(const PgRows rows,
                        connection_->Run(kDirtyAccounts, PgParams().Int(bucket), "reading"));
    ClaimedBucket claimed{.bucket = bucket};
    for (int row = 0; row < rows.size(); ++row) {
      HV_ASSIGN_OR_RETURN(AccountCounts counts, CountsAt(rows, row));
      HV_ASSIGN_OR_RETURN(const std::int64_t mark, rows.Int(row, 6));
      claimed.accounts.push_back({.counts = std::move(counts), .mark = mark});
    }
    return claimed;
  }

  std::uint32_t Bucket(std::string_view account) const {
    return AccountBucket(bucket_key_, account);
  }

  // Inside a transaction: the rules of AddServedDb.
  Status AddInTransaction(const ServedDbParams& params, std::int64_t now,
                          std::int64_t transition_seconds) {
    HV_RETURN_IF_ERROR(connection_->Execute(kLockServedDbs, "locking"));
    HV_ASSIGN_OR_RETURN(const auto dbs, LoadServedDbs());
    HV_ASSIGN_OR_RETURN(const AddServedDbStep step, DecideAddServedDb(dbs, params));
    const auto epoch = static_cast<std::int64_t>(params.shape.epoch);
    if (step == AddServedDbStep::kNothing) return Status::Ok();
    if (step == AddServedDbStep::kLearnUnknowns) {
      return connection_
          ->Run(kLearnUnknowns,
                PgParams().Int(params.synthetic_rate_ppm).Int(params.key_bits).Int(epoch),
                "writing")
          .status();
    }
    if (step == AddServedDbStep::kAddNewer) {
      const auto current = static_cast<std::int64_t>(dbs.front().params.shape.epoch);
      HV_RETURN_IF_ERROR(connection_
                             ->Run(kCloseDbs,
                                   PgParams().Int(current).Int(now + transition_seconds).Int(now),
                                   "writing")
                             .status());
    }
    return connection_
        ->Run(kInsertDb,
              PgParams()
                  .Int(epoch)
                  .Int(std::int64_t{params.shape.entry_count})
                  .Int(std::int64_t{params.shape.synthetic_max})
                  .Int(std::int64_t{params.threshold})
                  .Bytes(params.public_point.bytes)
                  .Bytes(params.shape.db_digest)
                  .Int(params.synthetic_rate_ppm)
                  .Int(params.key_bits),
              "writing")
        .status();
  }

  // A RecordAll batch, with its vouchers' buckets and the orders its rows are written in. Every
  // transaction locks rows in the same order, so two batches never wait for each other's rows
  // in opposite orders (a deadlock): accounts and vouchers (their keys) in (bucket, account,
  // voucher id) order, then accounts' counts and dirty marks (their rows) in (bucket, account)
  // order. Stable sorts: the first of a repeated id is the new one, and an account's candidates
  // are stored in the order its vouchers arrived.
  struct Batch {
    std::span<const AccountVoucher> vouchers;
    std::vector<std::uint32_t> buckets;
    std::vector<std::size_t> by_id;
    std::vector<std::size_t> by_account;
    bool SameAccount(std::size_t i, std::size_t j) const {
      return buckets[i] == buckets[j] && vouchers[i].account == vouchers[j].account;
    }
  };

  Batch Sorted(std::span<const AccountVoucher> vouchers) const {
    Batch batch{.vouchers = vouchers, .buckets = std::vector<std::uint32_t>(vouchers.size())};
    for (std::size_t i = 0; i < vouchers.size(); ++i) {
      batch.buckets[i] = Bucket(vouchers[i].account);
    }
    batch.by_account.resize(vouchers.size());
    std::iota(batch.by_account.begin(), batch.by_account.end(), 0);
    batch.by_id = batch.by_account;
    std::ranges::stable_sort(batch.by_account, {}, [&](std::size_t i) {
      return std::tie(batch.buckets[i], vouchers[i].account);
    });
    std::ranges::stable_sort(batch.by_id, {}, [&](std::size_t i) {
      return std::tie(batch.buckets[i], vouchers[i].account, vouchers[i].voucher.header.id);
    });
    return batch;
  }

  // RecordAll's first pipeline: each account's row, and each voucher's, whose insert tells
  // whether it is new (`added`). A repeat gets no row: of a voucher stored before, or of one
  // earlier in this pipeline, which this transaction sees.
  Status AddVouchers(const Batch& batch, std::vector<bool>& added) {
    PgPipeline pipeline;
    std::vector<std::size_t> voucher_rows;  // which of the pipeline's rows is by_id[k]'s
    for (std::size_t k = 0; k < batch.by_id.size(); ++k) {
      const std::size_t i = batch.by_id[k];
      const auto& [account, voucher] = batch.vouchers[i];
      if (k == 0 || !batch.SameAccount(i, batch.by_id[k - 1])) {
        pipeline.Add(kAddAccount).Int(batch.buckets[i]).Text(account);
      }
      voucher_rows.push_back(pipeline.size());
      pipeline.Add(kAddVoucher)
          .Int(batch.buckets[i])
          .Text(account)
          .Bytes(voucher.header.id)
          .Int(static_cast<std::int64_t>(voucher.header.epoch));
    }
    HV_ASSIGN_OR_RETURN(const std::vector<PgRows> rows,
                        connection_->RunPipeline(pipeline, "writing"));
    for (std::size_t k = 0; k < batch.by_id.size(); ++k) {
      added[batch.by_id[k]] = rows[voucher_rows[k]].Changed() != 0;
    }
    return Status::Ok();
  }

  // RecordAll's second pipeline, account by account: what its new vouchers bring (none when
  // every voucher was a repeat). The count of inconsistent ones, their candidates, and a dirty
  // mark when there is a candidate: in the vouchers' transaction, whose COMMIT ends this
  // pipeline, so candidates and mark commit together or not at all.
  Status AddWhatNewVouchersBring(const Batch& batch, const std::vector<bool>& added) {
    PgPipeline pipeline;
    std::deque<std::vector<std::uint8_t>> tags;  // the pipeline's tag parameters point here
    const auto& order = batch.by_account;
    for (std::size_t begin = 0, end = 0; begin < order.size(); begin = end) {
      const std::size_t first = order[begin];
      std::int64_t inconsistent = 0;
      bool has_candidates = false;
      for (end = begin; end < order.size() && batch.SameAccount(order[end], first); ++end) {
        const OpenedVoucher& voucher = batch.vouchers[order[end]].voucher;
        if (!added[order[end]]) continue;
        inconsistent += voucher.inconsistency != nullptr;
        has_candidates = has_candidates || !voucher.candidates.empty();
      }
      const std::uint32_t bucket = batch.buckets[first];
      const std::string_view account = batch.vouchers[first].account;
      if (inconsistent > 0) {
        pipeline.Add(kCountInconsistent).Int(bucket).Text(account).Int(inconsistent);
      }
      for (std::size_t k = begin; k < end; ++k) {
        if (!added[order[k]]) continue;
        const OpenedVoucher& voucher = batch.vouchers[order[k]].voucher;
        for (const Candidate& candidate : voucher.candidates) {
          pipeline.Add(kAddCandidate)
              .Int(bucket)
              .Text(account)
              .Bytes(voucher.header.id)
              .Bytes(candidate.share.x.bytes())
              .Bytes(candidate.share.y.bytes())
              .Bytes(tags.emplace_back(EncodeTag(candidate.tag)))
              .Bytes(candidate.adct)
              .Int(static_cast<std::int64_t>(voucher.header.epoch));
        }
      }
      if (has_candidates) pipeline.Add(kMarkDirty).Int(bucket).Text(account);
    }
    if (pipeline.empty()) return Status::Ok();
    return connection_->RunPipelineAndCommit(pipeline, "writing");
  }

  const std::unique_ptr<PgConnection> connection_;
  const BucketKey bucket_key_;
  ShareStore* const served_dbs_;
};

// Connects to `uri` and creates or migrates the schema; `read` then runs in the same
// transaction. The connection and the store's bucket key.
template <typename Read>
Result<std::pair<std::unique_ptr<PgConnection>, BucketKey>> ConnectAndMigrate(
    const std::string& uri, Read&& read) {
  HV_ASSIGN_OR_RETURN(auto connection, PgConnection::Connect(uri));
  BucketKey bucket_key{};
  HV_RETURN_IF_ERROR(connection->InTransaction([&]() -> Status {
    HV_ASSIGN_OR_RETURN(bucket_key, CreateOrMigratePostgresSchema(*connection));
    return read(*connection);
  }));
  return std::pair(std::move(connection), bucket_key);
}
Status ReadNothing(PgConnection&) { return Status::Ok(); }

}  // namespace

Result<std::unique_ptr<ShareStore>> OpenPostgresShareStore(const std::string& uri) {
  HV_ASSIGN_OR_RETURN(auto opened, ConnectAndMigrate(uri, ReadNothing));
  return std::unique_ptr<ShareStore>(
      std::make_unique<PostgresShareStore>(std::move(opened.first), opened.second));
}

Result<PostgresDirectory> OpenPostgresDirectory(const std::string& uri) {
  std::vector<BucketRange> ranges;
  HV_ASSIGN_OR_RETURN(auto opened, ConnectAndMigrate(uri, [&](PgConnection& connection) {
                        HV_ASSIGN_OR_RETURN(ranges, ReadBucketMap(connection));
                        return Status::Ok();
                      }));
  auto map = BucketMap::FromRanges(ranges);
  if (!map.ok()) return Status::Corrupt("the share store's bucket map is malformed");
  return PostgresDirectory{
      .store = std::make_unique<PostgresShareStore>(std::move(opened.first), opened.second),
      .bucket_key = opened.second,
      .map = std::move(map).value()};
}

Result<std::unique_ptr<ShareStore>> OpenPostgresShard(const std::string& uri,
                                                      const BucketKey& bucket_key,
                                                      ShareStore& directory) {
  HV_ASSIGN_OR_RETURN(auto opened, ConnectAndMigrate(uri, ReadNothing));
  if (opened.second != bucket_key) {
    return Status::FailedPrecondition(
        "a shard's bucket key is not the directory's (attach it with `hashveil server shards "
        "--assign`)");
  }
  return std::unique_ptr<ShareStore>(
      std::make_unique<PostgresShareStore>(std::move(opened.first), opened.second, &directory));
}

}  // namespace hashveil::psi
