// Threshold processing as a job over buckets on the PostgreSQL store (issue 13), against a real
// server: a voucher marks its account dirty in its own transaction; a processor claims a bucket
// under a session advisory lock and clears each account's mark only if no voucher marked it
// again; a processor that dies frees its bucket and leaves what it did not finish dirty.
// tests/integration/postgres_store_cli_test.cpp races and kills real `server process`es.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "account_bucket.h"
#include "postgres_share_store_schema.h"
#include "postgres_store_fixture.h"

namespace hashveil::psi {
namespace {

using testing::kAccount;
using testing::SharedPostgresServer;

class ProcessingJobTest : public testing::PostgresShareStoreTest {
 protected:
  void SetUp() override {
    PostgresShareStoreTest::SetUp();
    client_ = MakeClient(4, Options());
    store_ = Open(uri_);
    ASSERT_TRUE(store_->RememberDbParams(Served(*client_.db)).ok());
    vouchers_ = Vouchers(client_, 4);
  }

  // Every dirty account with its mark, as a processor that claims each bucket in turn sees it.
  static std::map<std::string, std::int64_t> Dirty(ShareStore& store) {
    std::map<std::string, std::int64_t> dirty;
    const auto buckets = store.DirtyBuckets().value();
    for (const std::uint32_t bucket : buckets) {
      const auto claimed = store.ClaimBucket(bucket).value();
      EXPECT_TRUE(claimed.has_value()) << "bucket " << bucket << " is held";
      if (!claimed) continue;
      for (const DirtyAccount& account : claimed->accounts) {
        dirty[account.counts.account] = account.mark;
      }
      EXPECT_TRUE(store.ReleaseBucket(bucket).ok());
    }
    return dirty;
  }
  static std::set<std::string> Names(const std::map<std::string, std::int64_t>& dirty) {
    std::set<std::string> names;
    for (const auto& [name, mark] : dirty) names.insert(name);
    return names;
  }

  // A voucher of an image that is no member: it opens no entry.
  OpenedVoucher OpenedNothing() {
    auto opened = client_.opener->Open(
        Build(*client_.builder, InputFor(testing::RandomHash(*random_))), kAccount);
    EXPECT_TRUE(opened.ok() && opened->candidates.empty());
    return std::move(opened).value();
  }

  std::uint32_t BucketOf(std::string_view account) {
    const PgStatement query{"test_key", "SELECT bucket_key FROM store_meta"};
    const auto rows = Connect()->Run(query, PgParams(), "reading").value();
    BucketKey key{};
    std::ranges::copy(rows.Bytes(0, 0), key.begin());
    return AccountBucket(key, account);
  }

  // The account's bucket, claimed by `store`, and the account as claimed.
  std::pair<ClaimedBucket, DirtyAccount> Claim(ShareStore& store, const std::string& account) {
    const auto claimed = store.ClaimBucket(BucketOf(account)).value();
    EXPECT_TRUE(claimed.has_value());
    for (const DirtyAccount& dirty : claimed.value_or(ClaimedBucket{}).accounts) {
      if (dirty.counts.account == account) return {*claimed, dirty};
    }
    ADD_FAILURE() << account << " is not dirty";
    return {};
  }

  Client client_;
  std::unique_ptr<ShareStore> store_;
  std::vector<OpenedVoucher> vouchers_;
};

TEST_F(ProcessingJobTest, AVoucherWithACandidateMarksItsAccountInItsOwnTransaction) {
  ASSERT_TRUE(store_->Record("bob", OpenedNothing()).value());
  EXPECT_TRUE(Dirty(*store_).empty());  // no candidate, nothing to process

  ASSERT_TRUE(store_->Record("alice", vouchers_[0]).value());
  EXPECT_EQ(Names(Dirty(*Open(uri_))), std::set<std::string>{"alice"});  // committed with it

  // carol's voucher fails in its transaction (another one holds the row of its mark past the
  // store's lock_timeout): neither its candidates nor its mark are left.
  auto holder = Connect();
  ASSERT_TRUE(holder->Execute("BEGIN", "starting").ok());
  const PgStatement hold{"test_hold",
                         "INSERT INTO dirty_accounts (bucket, account, mark) VALUES ($1, $2, 0)"};
  ASSERT_TRUE(holder->Run(hold, PgParams().Int(BucketOf("carol")).Text("carol"), "writing").ok());
  const auto impatient = Open(uri_ + "&options=-c%20lock_timeout%3D200");
  EXPECT_EQ(impatient->Record("carol", vouchers_[1]).status().code(), StatusCode::kIoError);
  ASSERT_TRUE(holder->Execute("ROLLBACK", "rolling back").ok());
  EXPECT_TRUE(store_->LoadCandidates("carol").value().empty());
  EXPECT_EQ(Names(Dirty(*store_)), std::set<std::string>{"alice"});

  // Once processed, a repeat of a voucher it has adds nothing and marks nothing.
  const auto [claimed, alice] = Claim(*store_, "alice");
  ASSERT_TRUE(store_->FinishAccount(claimed.bucket, alice).ok());
  ASSERT_TRUE(store_->ReleaseBucket(claimed.bucket).ok());
  EXPECT_FALSE(store_->Record("alice", vouchers_[0]).value());
  EXPECT_TRUE(Dirty(*store_).empty());
}

TEST_F(ProcessingJobTest, FinishingAnAccountClearsOnlyItsMark) {
  const std::vector<std::string> names = {"alice", "bob", "carol", "dave", "erin", "frank"};
  std::vector<AccountVoucher> batch;
  for (const auto& name : names) batch.push_back({name, vouchers_[0]});
  ASSERT_TRUE(store_->RecordAll(batch).ok());
  ASSERT_EQ(Dirty(*store_).size(), names.size());

  const auto [claimed, carol] = Claim(*store_, "carol");
  ASSERT_TRUE(store_->FinishAccount(claimed.bucket, carol).ok());
  ASSERT_TRUE(store_->ReleaseBucket(claimed.bucket).ok());
  EXPECT_EQ(Names(Dirty(*store_)),
            (std::set<std::string>{"alice", "bob", "dave", "erin", "frank"}));
}

TEST_F(ProcessingJobTest, AVoucherArrivingWhileItsAccountIsProcessedKeepsItDirty) {
  ASSERT_TRUE(store_->Record("alice", vouchers_[0]).value());
  const auto [claimed, alice] = Claim(*store_, "alice");
  EXPECT_EQ(alice.counts.candidates, 1u);
  // Another serve process stores alice's next voucher while she is processed.
  ASSERT_TRUE(Open(uri_)->Record("alice", vouchers_[1]).value());
  ASSERT_TRUE(store_->FinishAccount(claimed.bucket, alice).ok());
  ASSERT_TRUE(store_->ReleaseBucket(claimed.bucket).ok());
  const auto dirty = Dirty(*store_);
  ASSERT_EQ(Names(dirty), std::set<std::string>{"alice"});
  EXPECT_NE(dirty.at("alice"), alice.mark);

  // The next run sees both candidates and finishes her.
  const auto [again, next] = Claim(*store_, "alice");
  EXPECT_EQ(next.counts.candidates, 2u);
  ASSERT_TRUE(store_->FinishAccount(again.bucket, next).ok());
  ASSERT_TRUE(store_->ReleaseBucket(again.bucket).ok());
  EXPECT_TRUE(Dirty(*store_).empty());
}

// A claim lasts until released or until its processor's connection ends: one that dies (here,
// its store is closed mid-bucket) frees the bucket, and what it did not finish is still dirty.
TEST_F(ProcessingJobTest, ABucketIsHeldByOneProcessorUntilReleasedOrItsConnectionEnds) {
  ASSERT_TRUE(store_->Record("alice", vouchers_[0]).value());
  const std::uint32_t bucket = BucketOf("alice");
  auto other = Open(uri_);
  ASSERT_TRUE(store_->ClaimBucket(bucket).value().has_value());
  EXPECT_FALSE(other->ClaimBucket(bucket).value().has_value());
  EXPECT_FALSE(other->ClaimBucket(bucket).value().has_value());
  ASSERT_TRUE(store_->ReleaseBucket(bucket).ok());
  ASSERT_TRUE(other->ClaimBucket(bucket).value().has_value());
  ASSERT_TRUE(other->ReleaseBucket(bucket).ok());

  ASSERT_TRUE(store_->ClaimBucket(bucket).value().has_value());
  store_.reset();  // dies holding the bucket, alice unfinished
  std::optional<ClaimedBucket> taken;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!taken && std::chrono::steady_clock::now() < deadline) {
    taken = other->ClaimBucket(bucket).value();  // free once the server ended its session
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(taken.has_value());
  ASSERT_EQ(taken->accounts.size(), 1u);
  EXPECT_EQ(taken->accounts[0].counts.account, "alice");
}

// The server restarts under a processor: its claim ended with the session, so finishing under
// it clears nothing (another processor may hold the bucket by now).
TEST_F(ProcessingJobTest, AClaimLostWithTheConnectionClearsNothing) {
  ASSERT_TRUE(store_->Record("alice", vouchers_[0]).value());
  const auto [claimed, alice] = Claim(*store_, "alice");
  ASSERT_TRUE(SharedPostgresServer().Stop().ok());
  ASSERT_TRUE(SharedPostgresServer().Resume().ok());
  // The first statements after the restart find the connection gone (a run stops there); a
  // later one connects again, without the claim.
  EXPECT_EQ(store_->LoadCandidates("alice").status().code(), StatusCode::kIoError);
  for (int i = 0; i < 3 && !store_->LoadCandidates("alice").ok(); ++i) {
  }
  ASSERT_TRUE(store_->LoadCandidates("alice").ok());
  const Status finished = store_->FinishAccount(claimed.bucket, alice);
  EXPECT_EQ(finished.code(), StatusCode::kIoError) << finished.ToString();
  EXPECT_NE(finished.message().find("lost while processing"), std::string::npos)
      << finished.ToString();
  EXPECT_EQ(Names(Dirty(*store_)), std::set<std::string>{"alice"});
}

// Two processors, each one run over every dirty bucket at once: every account is finished by
// exactly one of them, and together they finish all.
TEST_F(ProcessingJobTest, TwoProcessorsRacingFinishEachAccountExactlyOnce) {
  std::vector<std::string> names;
  for (int i = 0; i < 64; ++i) names.push_back("account" + std::to_string(i));
  std::vector<AccountVoucher> batch;
  for (std::size_t i = 0; i < names.size(); ++i) batch.push_back({names[i], vouchers_[i % 2]});
  ASSERT_TRUE(store_->RecordAll(batch).ok());

  EXPECT_EQ(FinishEveryDirtyAccountWithTwoProcessors(uri_),
            std::multiset<std::string>(names.begin(), names.end()));
  EXPECT_TRUE(Dirty(*store_).empty());
}

// A store of schema 1 (before dirty marks) is migrated with every account that has candidates
// dirty, so the first run after the upgrade processes them.
TEST_F(ProcessingJobTest, MigratingFromSchema1MarksEveryAccountWithCandidates) {
  ASSERT_TRUE(store_->Record("bob", OpenedNothing()).value());
  ASSERT_TRUE(store_->Record("alice", vouchers_[0]).value());
  ASSERT_TRUE(store_->Record("alice", vouchers_[1]).value());
  ASSERT_TRUE(Connect()
                  // Back to schema 1: without schema 3's map and fence, and schema 2's marks.
                  ->Execute("DROP TRIGGER accounts_in_held_bucket ON accounts;"
                            " DROP FUNCTION hv_check_held_bucket(); DROP TABLE held_buckets;"
                            " DROP TABLE bucket_map;"
                            " DROP TABLE dirty_accounts; DROP SEQUENCE dirty_marks;"
                            " UPDATE store_meta SET schema_version = 1",
                            "writing")
                  .ok());
  auto migrated = Open(uri_);
  EXPECT_EQ(Names(Dirty(*migrated)), std::set<std::string>{"alice"});
  const PgStatement version{"test_version", "SELECT schema_version::bigint FROM store_meta"};
  EXPECT_EQ(Connect()->Run(version, PgParams(), "reading").value().Int(0, 0).value(),
            kPostgresShareStoreSchemaVersion);
}

}  // namespace
}  // namespace hashveil::psi
