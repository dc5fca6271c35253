// DB updates on the server side (docs/service.md, "DB updates"; docs/protocol.md 3.3): the share
// store keeps one DB per epoch, the newest current and the previous one accepted until its
// transition deadline, refuses an older epoch, and migrates a schema-2 or 3 store without losing a
// voucher; shares of two epochs combine exactly when the device derived them for the same t, s
// and p_syn, and a known image counts once across epochs whatever its entry index. The tests
// that need no SQLite schema of old run on both share store backends.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <set>

#include "hashveil/psi/report.h"
#include "hashveil/psi/threshold.h"
#include "store_backends.h"
#include "voucher_fixture.h"

namespace hashveil::psi {
namespace {

using testing::kAccount;

// Binds a candidate as parameters 1-5 (voucher id, share x, share y, tag, inner ciphertext) of an
// INSERT written in an old schema's own SQL.
void BindCandidate(sqlite3_stmt* row, const VoucherId& id, const Candidate& c) {
  const auto tag = EncodeTag(c.tag);
  sqlite3_bind_blob(row, 1, id.data(), kVoucherIdBytes, SQLITE_TRANSIENT);
  sqlite3_bind_blob(row, 2, c.share.x.bytes().data(), kScalarBytes, SQLITE_TRANSIENT);
  sqlite3_bind_blob(row, 3, c.share.y.bytes().data(), kScalarBytes, SQLITE_TRANSIENT);
  sqlite3_bind_blob(row, 4, tag.data(), static_cast<int>(tag.size()), SQLITE_TRANSIENT);
  sqlite3_bind_blob(row, 5, c.adct.data(), static_cast<int>(c.adct.size()), SQLITE_TRANSIENT);
}

class EpochRolloverTest : public testing::VoucherTest {
 protected:
  void SetUp() override {
    VoucherTest::SetUp();
    random_->Fill(account_key_.span());
  }

  // A DB of epoch `epoch` over the current members_ (MakeDb draws new ones).
  std::unique_ptr<hashdb::ClientDb> DbOverMembers(hashdb::DbBuildOptions options,
                                                  std::uint64_t epoch, const std::string& name) {
    options.epoch = epoch;
    options.threads = 1;
    const auto path = dir_ / (name + ".hvdb");
    auto built = hashdb::BuildClientDb(members_, options, secret_, publisher_, *random_, path,
                                       dir_ / (name + ".hvdb.proof"));
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    auto db = hashdb::ClientDb::Load(path, publisher_.public_key);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(db).value();
  }

  static hashdb::DbBuildOptions Options(std::uint32_t threshold) {
    hashdb::DbBuildOptions options;
    options.threshold = threshold;
    options.synthetic_rate_ppm = 0;
    options.synthetic_max = 4;
    options.key_scheme.probes = 4;
    return options;
  }

  // The account state "a" opened for `db`'s parameters (rotating when they differ).
  std::unique_ptr<AccountState> OpenAccount(const hashdb::ClientDb& db) {
    const AccountParameters params{.threshold = db.params().threshold,
                                   .synthetic_max = db.params().synthetic_max,
                                   .synthetic_rate_ppm = db.params().synthetic_rate_ppm};
    auto account = AccountState::OpenOrCreate(dir_ / "a.state", account_key_, params, *random_);
    EXPECT_TRUE(account.ok()) << account.status().ToString();
    return std::move(account).value();
  }

  // Builds a voucher of `hash` for `db` from `account`, opens it as the server and stores it.
  void Send(const hashdb::ClientDb& db, AccountState& account, const matcher::PdqHash& hash,
            ShareStore& store) {
    const auto builder = VoucherBuilder::Create(db, account, kAccount).value();
    const auto opened = MakeOpener(db)->Open(Build(*builder, InputFor(hash)), kAccount);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ASSERT_EQ(opened->candidates.size(), 1u);
    ASSERT_TRUE(store.Record(kAccount, *opened).ok());
  }

  static EpochGroup GroupOf(std::initializer_list<const hashdb::ClientDb*> dbs) {
    EpochGroup group{.threshold = (*dbs.begin())->params().threshold, .shapes = {}};
    for (const auto* db : dbs) group.shapes.emplace(db->params().epoch, VoucherBuilder::ShapeOf(*db));
    return group;
  }

  // `members` random members, DBs of them at epochs 100 (t = 3) and 200 (t = `second_t`) served
  // in that order, and the account's vouchers of members 0 and 1 under epoch 100.
  struct RolledOver {
    std::unique_ptr<hashdb::ClientDb> e1, e2;
    std::unique_ptr<ShareStore> store;
  };
  RolledOver RollOver(std::size_t members, std::uint32_t second_t) {
    MakeDb(members, Options(3));  // draws members_
    RolledOver rolled{.e1 = DbOverMembers(Options(3), 100, "e1"),
                      .e2 = DbOverMembers(Options(second_t), 200, "e2"),
                      .store = testing::OpenFreshStore(backend_, dir_)};
    EXPECT_TRUE(rolled.store->AddServedDb(Served(*rolled.e1), 1000, 3600).ok());
    EXPECT_TRUE(rolled.store->AddServedDb(Served(*rolled.e2), 2000, 3600).ok());
    auto account = OpenAccount(*rolled.e1);
    Send(*rolled.e1, *account, members_[0].hash, *rolled.store);
    Send(*rolled.e1, *account, members_[1].hash, *rolled.store);
    return rolled;
  }

  AccountStateKey account_key_;
  testing::StoreBackend backend_ = testing::StoreBackend::kSqlite;
};

class EpochRolloverStoreTest : public EpochRolloverTest,
                               public ::testing::WithParamInterface<testing::StoreBackend> {
 protected:
  EpochRolloverStoreTest() { backend_ = GetParam(); }
};

TEST_P(EpochRolloverStoreTest, ANewerEpochBecomesCurrentAndOnlyThePreviousOneKeepsATransition) {
  const auto first = MakeDb(2, Options(3));
  auto store = testing::OpenFreshStore(backend_, dir_);
  ServedDbParams e1 = Served(*first), e2 = e1, e3 = e1;
  e2.shape.epoch = e1.shape.epoch + 1;
  e3.shape.epoch = e1.shape.epoch + 2;
  ASSERT_TRUE(store->AddServedDb(e1, 1000, 3600).ok());
  ASSERT_TRUE(store->AddServedDb(e2, 2000, 3600).ok());
  auto dbs = store->LoadServedDbs().value();
  ASSERT_EQ(dbs.size(), 2u);
  EXPECT_EQ(dbs[0].params, e2);
  EXPECT_FALSE(dbs[0].accepted_until.has_value());
  EXPECT_EQ(dbs[1].params, e1);
  EXPECT_EQ(dbs[1].accepted_until, 2000 + 3600);
  EXPECT_TRUE(dbs[1].AcceptsVouchersAt(5599));
  EXPECT_FALSE(dbs[1].AcceptsVouchersAt(5600));
  EXPECT_EQ(*store->LoadDbParams().value(), e2);

  // A third epoch: the second gets the transition, the first is closed at once.
  ASSERT_TRUE(store->AddServedDb(e3, 3000, 3600).ok());
  dbs = store->LoadServedDbs().value();
  ASSERT_EQ(dbs.size(), 3u);
  EXPECT_EQ(dbs[1].accepted_until, 3000 + 3600);
  EXPECT_EQ(dbs[2].accepted_until, 3000);
  EXPECT_FALSE(dbs[2].AcceptsVouchersAt(3000));
}

TEST_P(EpochRolloverStoreTest, AnOlderEpochIsRefusedAndTheCurrentOneAgainChangesNothing) {
  const auto first = MakeDb(2, Options(3));
  auto store = testing::OpenFreshStore(backend_, dir_);
  ServedDbParams e1 = Served(*first), e2 = e1;
  e2.shape.epoch = e1.shape.epoch + 1;
  ASSERT_TRUE(store->AddServedDb(e1, 1000, 3600).ok());
  ASSERT_TRUE(store->AddServedDb(e2, 2000, 3600).ok());
  const auto before = store->LoadServedDbs().value();

  const Status older = store->AddServedDb(e1, 2500, 3600);
  EXPECT_EQ(older.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(older.message().find("rollback"), std::string::npos) << older.ToString();
  EXPECT_TRUE(store->AddServedDb(e2, 2500, 0).ok());  // restarting with the current DB
  ServedDbParams other = e2;
  other.shape.db_digest[0] ^= 1;
  EXPECT_EQ(store->AddServedDb(other, 2500, 3600).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->AddServedDb(e2, 2500, -1).code(), StatusCode::kInvalidInput);

  const auto after = store->LoadServedDbs().value();
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].params, before[i].params);
    EXPECT_EQ(after[i].accepted_until, before[i].accepted_until);
  }
}

// The same t, s and p_syn: the device keeps its polynomial, so an image keeps its share and the
// shares of both epochs reach t together; each inner layer opens under its own epoch's digest.
// A known image counts once across epochs although its entry index differs.
TEST_P(EpochRolloverStoreTest, SharesOfTwoEpochsWithTheSameParametersCombine) {
  const auto [e1, e2, store] = RollOver(3, 3);
  auto account = OpenAccount(*e2);
  EXPECT_FALSE(account->rotated());
  Send(*e2, *account, members_[0].hash, *store);  // the same image again, under epoch 2
  const auto two_epochs = store->LoadCandidates(kAccount).value();
  ASSERT_EQ(two_epochs.size(), 3u);
  EXPECT_EQ(two_epochs[0].epoch, 100u);
  EXPECT_EQ(two_epochs[2].epoch, 200u);
  // One image, one share: what lets it count once across epochs.
  EXPECT_TRUE(two_epochs[0].candidate.share.x.Equals(two_epochs[2].candidate.share.x));
  const auto below = ProcessThreshold(kAccount, two_epochs, GroupOf({e1.get(), e2.get()}));
  ASSERT_TRUE(below.ok()) << below.status().ToString();
  EXPECT_EQ(below->outcome, ThresholdResult::Outcome::kBelowThreshold);
  EXPECT_EQ(below->distinct_images, 2u);

  Send(*e2, *account, members_[2].hash, *store);
  const auto candidates = store->LoadCandidates(kAccount).value();
  auto crossed = ProcessThreshold(kAccount, candidates, GroupOf({e1.get(), e2.get()}));
  ASSERT_TRUE(crossed.ok()) << crossed.status().ToString();
  ASSERT_EQ(crossed->outcome, ThresholdResult::Outcome::kRevealed);
  EXPECT_EQ(crossed->real_images, 3u);
  ASSERT_EQ(crossed->revealed.size(), 4u);
  EXPECT_TRUE(crossed->unopened.empty());
  std::set<std::uint64_t> epochs;
  for (const auto& revealed : crossed->revealed) epochs.insert(revealed.epoch);
  EXPECT_EQ(epochs, (std::set<std::uint64_t>{100, 200}));

  // Epoch 2's publication lists the members in another order: entry indices differ, hashes not.
  std::vector<hashdb::PublishedEntry> reversed = members_;
  std::reverse(reversed.begin(), reversed.end());
  const auto report = VerifyRevealed(
      store->ListAccounts().value().at(0), std::move(crossed).value(),
      [&](std::uint64_t epoch) -> std::span<const hashdb::PublishedEntry> {
        return epoch == 100 ? std::span<const hashdb::PublishedEntry>(members_) : reversed;
      },
      {200, 100}, 3);
  EXPECT_EQ(report.matches.size(), 4u);
  EXPECT_EQ(report.verified_entries(), 3u);  // member 0 under both epochs is one known image
  EXPECT_TRUE(report.reportable());
  EXPECT_EQ(report.epochs, (std::vector<std::uint64_t>{100, 200}));
  const std::string json = AccountReportJson(report);
  EXPECT_NE(json.find("\"epoch\": 100"), std::string::npos) << json;
  EXPECT_NE(json.find("\"epoch\": 200"), std::string::npos) << json;
}

// Another t: the device rotates to a new polynomial, so its old shares and new ones do not lie on
// one polynomial. Even forced into one run, they reveal nothing: old progress does not count.
TEST_P(EpochRolloverStoreTest, AfterAThresholdChangeOldSharesDoNotCombineWithNewOnes) {
  const auto [e1, e2, store] = RollOver(4, 4);
  auto account = OpenAccount(*e2);
  EXPECT_TRUE(account->rotated());
  for (int i = 0; i < 3; ++i) Send(*e2, *account, members_[i].hash, *store);
  const auto candidates = store->LoadCandidates(kAccount).value();
  ASSERT_EQ(candidates.size(), 5u);
  // A new polynomial, a new fkey: the same image has another share x.
  EXPECT_FALSE(candidates[0].candidate.share.x.Equals(candidates[2].candidate.share.x));

  // 5 distinct shares (3 distinct images) against t = 3 or 4: had the old shares counted,
  // 2 + 3 would cross either threshold.
  for (const std::uint32_t t : {3u, 4u}) {
    EpochGroup forced = GroupOf({e1.get(), e2.get()});
    forced.threshold = t;
    const auto result = ProcessThreshold(kAccount, candidates, forced);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_TRUE(result->revealed.empty()) << "t=" << t;
  }
  // Processed as the server groups them, each generation alone is below its threshold.
  std::vector<StoredCandidate> old_ones, new_ones;
  for (const auto& stored : candidates) {
    StoredCandidate copy{stored.id, {stored.candidate.share.Clone(), stored.candidate.tag,
                                     stored.candidate.adct}, stored.epoch};
    (stored.epoch == 100 ? old_ones : new_ones).push_back(std::move(copy));
  }
  EXPECT_EQ(ProcessThreshold(kAccount, old_ones, GroupOf({e1.get()}))->outcome,
            ThresholdResult::Outcome::kBelowThreshold);
  EXPECT_EQ(ProcessThreshold(kAccount, new_ones, GroupOf({e2.get()}))->outcome,
            ThresholdResult::Outcome::kBelowThreshold);
  // One more image under the new threshold crosses it, with new-epoch matches only.
  Send(*e2, *account, members_[3].hash, *store);
  std::vector<StoredCandidate> newest;
  auto all = store->LoadCandidates(kAccount).value();
  for (auto& stored : all) {
    if (stored.epoch == 200) newest.push_back(std::move(stored));
  }
  const auto crossed = ProcessThreshold(kAccount, newest, GroupOf({e2.get()}));
  ASSERT_EQ(crossed->outcome, ThresholdResult::Outcome::kRevealed);
  EXPECT_EQ(crossed->revealed.size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Backends, EpochRolloverStoreTest, testing::kStoreBackends,
                         testing::StoreBackendParamName());

// A store written by schema 2 (one served DB, no epoch per voucher), made here with that schema's
// own SQL: opening it migrates every row; nothing is lost and its candidates still reveal.
TEST_F(EpochRolloverTest, ASchemaTwoStoreIsMigratedWithoutLosingAVoucher) {
  const Client client = MakeClient(2, Options(2));
  const auto path = dir_ / "old.sqlite";
  const ServedDbParams served = Served(*client.db);
  std::vector<OpenedVoucher> opened;
  for (int i = 0; i < 2; ++i) {
    const auto voucher = Build(*client.builder, InputFor(members_[i].hash));
    opened.push_back(client.opener->Open(voucher, kAccount).value());
    ASSERT_EQ(opened.back().candidates.size(), 1u);
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* schema2 =
        "CREATE TABLE served_db (id INTEGER PRIMARY KEY CHECK (id = 1), epoch INTEGER NOT NULL,"
        "  entry_count INTEGER NOT NULL, synthetic_max INTEGER NOT NULL,"
        "  threshold INTEGER NOT NULL, public_point BLOB NOT NULL, db_digest BLOB NOT NULL);"
        "CREATE TABLE accounts (name TEXT PRIMARY KEY, refused INTEGER NOT NULL DEFAULT 0,"
        "  inconsistent INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE vouchers (account TEXT NOT NULL, voucher_id BLOB NOT NULL,"
        "  PRIMARY KEY (account, voucher_id));"
        "CREATE TABLE candidates (seq INTEGER PRIMARY KEY, account TEXT NOT NULL,"
        "  voucher_id BLOB NOT NULL, share_x BLOB NOT NULL, share_y BLOB NOT NULL,"
        "  tag BLOB NOT NULL, adct BLOB NOT NULL, UNIQUE (account, voucher_id));"
        "CREATE INDEX candidates_by_account ON candidates (account, share_x);"
        "PRAGMA user_version = 2;";
    ASSERT_EQ(sqlite3_exec(db, schema2, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_stmt* row = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO served_db VALUES (1, ?, ?, ?, ?, ?, ?)", -1, &row, nullptr);
    sqlite3_bind_int64(row, 1, static_cast<std::int64_t>(served.shape.epoch));
    sqlite3_bind_int64(row, 2, served.shape.entry_count);
    sqlite3_bind_int64(row, 3, served.shape.synthetic_max);
    sqlite3_bind_int64(row, 4, served.threshold);
    sqlite3_bind_blob(row, 5, served.public_point.bytes.data(), 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(row, 6, served.shape.db_digest.data(), 32, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(row), SQLITE_DONE);
    sqlite3_finalize(row);
    ASSERT_EQ(sqlite3_exec(db, "INSERT INTO accounts VALUES ('alice', 1, 0), ('bob', 0, 0)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    for (const OpenedVoucher& voucher : opened) {
      const auto& c = voucher.candidates.front();
      sqlite3_prepare_v2(db, "INSERT INTO vouchers VALUES ('alice', ?)", -1, &row, nullptr);
      sqlite3_bind_blob(row, 1, voucher.header.id.data(), kVoucherIdBytes, SQLITE_TRANSIENT);
      ASSERT_EQ(sqlite3_step(row), SQLITE_DONE);
      sqlite3_finalize(row);
      sqlite3_prepare_v2(db, "INSERT INTO candidates (account, voucher_id, share_x, share_y, tag,"
                             " adct) VALUES ('alice', ?, ?, ?, ?, ?)", -1, &row, nullptr);
      BindCandidate(row, voucher.header.id, c);
      ASSERT_EQ(sqlite3_step(row), SQLITE_DONE);
      sqlite3_finalize(row);
    }
    ASSERT_EQ(sqlite3_exec(db, "INSERT INTO vouchers VALUES ('bob', x'00112233445566778899aabb')",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }

  auto store = ShareStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const auto dbs = (*store)->LoadServedDbs().value();
  ASSERT_EQ(dbs.size(), 1u);
  ServedDbParams unknown = served;
  unknown.synthetic_rate_ppm.reset();
  unknown.key_bits.reset();
  EXPECT_EQ(dbs[0].params, unknown);  // p_syn and k were not kept by schema 2
  EXPECT_FALSE(dbs[0].accepted_until.has_value());
  const auto accounts = (*store)->ListAccounts().value();
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].vouchers, 2u);
  EXPECT_EQ(accounts[0].candidates, 2u);
  EXPECT_EQ(accounts[0].refused, 1u);
  EXPECT_EQ(accounts[1].vouchers, 1u);
  const auto candidates = (*store)->LoadCandidates("alice").value();
  ASSERT_EQ(candidates.size(), 2u);
  for (const auto& stored : candidates) EXPECT_EQ(stored.epoch, served.shape.epoch);
  const EpochGroup group{.threshold = 2, .shapes = {{served.shape.epoch, served.shape}}};
  const auto result = ProcessThreshold("alice", candidates, group);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, ThresholdResult::Outcome::kRevealed);
  // A retry of a migrated voucher still counts once.
  EXPECT_FALSE((*store)->Record("alice", opened[0]).value());

  // The same DB given again fills in what schema 2 did not keep; reopening does not migrate twice.
  ASSERT_TRUE((*store)->AddServedDb(served, 1000, 3600).ok());
  store->reset();
  auto reopened = ShareStore::Open(path).value();
  EXPECT_EQ(reopened->LoadServedDbs().value().at(0).params, served);
}

// A store written by schema 3 (protocol 1: one candidate per voucher), made with schema 3's own
// SQL: opening it keeps every candidate, allows one row per opened entry, and forgets its DBs'
// p_syn and k, so protocol-1 shares never combine with protocol-2 ones (docs/protocol.md 3.2).
TEST_F(EpochRolloverTest, ASchemaThreeStoreKeepsItsCandidatesAndNeverCombinesThem) {
  const Client client = MakeClient(2, Options(2));
  const ServedDbParams served = Served(*client.db);
  OpenedVoucher opened =
      client.opener->Open(Build(*client.builder, InputFor(members_[0].hash)), kAccount).value();
  ASSERT_EQ(opened.candidates.size(), 1u);
  const Candidate& c = opened.candidates.front();
  const auto path = dir_ / "v3.sqlite";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* schema3 =
        "CREATE TABLE served_dbs (epoch INTEGER PRIMARY KEY, entry_count INTEGER NOT NULL,"
        "  synthetic_max INTEGER NOT NULL, threshold INTEGER NOT NULL,"
        "  synthetic_rate_ppm INTEGER, key_bits INTEGER, public_point BLOB NOT NULL,"
        "  db_digest BLOB NOT NULL, accepted_until INTEGER);"
        "CREATE TABLE accounts (name TEXT PRIMARY KEY, refused INTEGER NOT NULL DEFAULT 0,"
        "  inconsistent INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE vouchers (account TEXT NOT NULL, voucher_id BLOB NOT NULL,"
        "  epoch INTEGER NOT NULL, PRIMARY KEY (account, voucher_id));"
        "CREATE TABLE candidates (seq INTEGER PRIMARY KEY, account TEXT NOT NULL,"
        "  voucher_id BLOB NOT NULL, share_x BLOB NOT NULL, share_y BLOB NOT NULL,"
        "  tag BLOB NOT NULL, adct BLOB NOT NULL, epoch INTEGER NOT NULL,"
        "  UNIQUE (account, voucher_id));"
        "CREATE INDEX candidates_by_account ON candidates (account, share_x);"
        "INSERT INTO accounts (name) VALUES ('alice');"
        "PRAGMA user_version = 3;";
    ASSERT_EQ(sqlite3_exec(db, schema3, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_stmt* row = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO served_dbs VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)", -1, &row,
                       nullptr);
    sqlite3_bind_int64(row, 1, static_cast<std::int64_t>(served.shape.epoch));
    sqlite3_bind_int64(row, 2, served.shape.entry_count);
    sqlite3_bind_int64(row, 3, served.shape.synthetic_max);
    sqlite3_bind_int64(row, 4, served.threshold);
    sqlite3_bind_int64(row, 5, *served.synthetic_rate_ppm);
    sqlite3_bind_int64(row, 6, *served.key_bits);
    sqlite3_bind_blob(row, 7, served.public_point.bytes.data(), 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(row, 8, served.shape.db_digest.data(), 32, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(row), SQLITE_DONE);
    sqlite3_finalize(row);
    sqlite3_prepare_v2(db,
                       "INSERT INTO candidates (account, voucher_id, share_x, share_y, tag,"
                       " adct, epoch) VALUES ('alice', ?, ?, ?, ?, ?, ?)",
                       -1, &row, nullptr);
    BindCandidate(row, opened.header.id, c);
    sqlite3_bind_int64(row, 6, static_cast<std::int64_t>(served.shape.epoch));
    ASSERT_EQ(sqlite3_step(row), SQLITE_DONE);
    sqlite3_finalize(row);
    sqlite3_close(db);
  }
  auto store = ShareStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const auto dbs = (*store)->LoadServedDbs().value();
  ASSERT_EQ(dbs.size(), 1u);
  EXPECT_FALSE(dbs[0].params.synthetic_rate_ppm.has_value());
  EXPECT_FALSE(dbs[0].params.key_bits.has_value());
  const auto kept = (*store)->LoadCandidates("alice").value();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_TRUE(kept[0].candidate.share.x.Equals(c.share.x));
  // A protocol-2 voucher with two opened entries keeps both rows.
  Candidate second{
      .share = {Scalar::FromUint64(7), Scalar::FromUint64(8)}, .tag = c.tag, .adct = c.adct};
  second.tag.x += 1;
  opened.header.id[0] ^= 1;
  opened.candidates.push_back(std::move(second));
  ASSERT_TRUE((*store)->Record("alice", opened).value());
  EXPECT_EQ((*store)->LoadCandidates("alice").value().size(), 3u);
}

TEST_F(EpochRolloverTest, AStoreOfSchemaOneOrOfANewerSchemaIsRefused) {
  for (const int version : {1, 5}) {
    const auto path = dir_ / ("v" + std::to_string(version) + ".sqlite");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, ("CREATE TABLE t (x); PRAGMA user_version = " +
                                std::to_string(version)).c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    EXPECT_EQ(ShareStore::Open(path).status().code(), StatusCode::kUnsupported) << version;
  }
}

}  // namespace
}  // namespace hashveil::psi
