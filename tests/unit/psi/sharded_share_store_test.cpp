// The PostgreSQL share store sharded by bucket (issue 13), against real servers: accounts land
// on the shard their bucket maps to and nowhere else; attaching a shard gives it the
// directory's bucket key or refuses one with accounts under another; URIs with passwords are
// refused without being repeated; buckets that hold accounts are not moved, and a store still
// routing by the old map cannot write where a bucket was; processing claims buckets on their
// shards (two processors finish each account once); a shard that is down fails only its own
// accounts. The ShareStore behaviour every backend shares runs on this one in share_store_test,
// threshold_test and epoch_rollover_test (/PostgresSharded).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "account_bucket.h"
#include "hashveil/psi/shard_map.h"
#include "pg_connection.h"
#include "postgres_share_store.h"
#include "postgres_store_fixture.h"

namespace hashveil::psi {
namespace {

using testing::kShardedRanges;
using testing::StoreBackend;

// The shard kShardedRanges gives `bucket`: 0 the directory, then 1, 2.
std::size_t ExpectedShard(std::uint32_t bucket) {
  for (std::size_t i = 0; i < std::size(kShardedRanges); ++i) {
    if (bucket >= kShardedRanges[i].first && bucket <= kShardedRanges[i].last) return i + 1;
  }
  return 0;
}

class ShardedShareStoreTest : public testing::PostgresShareStoreTest {
 protected:
  void SetUp() override {
    PostgresShareStoreTest::SetUp();  // uri_: a plain store, unused
    uri_ = testing::FreshStoreLocation(StoreBackend::kPostgresSharded, dir_);
    client_ = MakeClient(4, Options());
    store_ = Open(uri_);
    ASSERT_TRUE(store_->RememberDbParams(Served(*client_.db)).ok());
    vouchers_ = Vouchers(client_, 4);
    const auto map = ReadShardMap(uri_);
    ASSERT_TRUE(map.ok()) << map.status().ToString();
    ASSERT_EQ(map->shards.size(), 3u);
    shard_uris_ = {uri_, map->shards[1].uri, map->shards[2].uri};
    const PgStatement query{"test_key", "SELECT bucket_key FROM store_meta"};
    const auto rows = Connect()->Run(query, PgParams(), "reading").value();
    std::ranges::copy(rows.Bytes(0, 0), key_.begin());
  }

  // The names of the accounts database `uri` holds, read as a plain store.
  static std::set<std::string> AccountsIn(const std::string& uri) {
    const auto accounts = OpenPostgresShareStore(uri).value()->ListAccounts().value();
    std::set<std::string> names;
    for (const AccountCounts& counts : accounts) names.insert(counts.account);
    return names;
  }

  // `count` account names, in every shard (the names are fixed; the buckets follow the key).
  static std::vector<std::string> Names(int count) {
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i) names.push_back("account" + std::to_string(i));
    return names;
  }

  // A name whose bucket is on shard `shard` and holds none of `taken`'s accounts.
  std::string NameOnShard(std::size_t shard, const std::vector<std::string>& taken = {}) {
    std::set<std::uint32_t> used;
    for (const auto& name : taken) used.insert(AccountBucket(key_, name));
    for (int i = 0;; ++i) {
      const std::string name = "x" + std::to_string(i);
      const std::uint32_t bucket = AccountBucket(key_, name);
      if (ExpectedShard(bucket) == shard && !used.contains(bucket)) return name;
    }
  }

  void RecordEach(ShareStore& store, const std::vector<std::string>& names) {
    std::vector<AccountVoucher> batch;
    for (std::size_t i = 0; i < names.size(); ++i) batch.push_back({names[i], vouchers_[i % 2]});
    const auto added = store.RecordAll(batch);
    ASSERT_TRUE(added.ok()) << added.status().ToString();
  }

  Client client_;
  std::unique_ptr<ShareStore> store_;
  std::vector<OpenedVoucher> vouchers_;
  std::vector<std::string> shard_uris_;  // [0] the directory
  BucketKey key_{};
};

TEST_F(ShardedShareStoreTest, EachAccountLivesOnTheShardItsBucketMapsTo) {
  const auto names = Names(40);
  RecordEach(*store_, names);
  std::set<std::string> everywhere;
  for (std::size_t shard = 0; shard < shard_uris_.size(); ++shard) {
    const auto held = AccountsIn(shard_uris_[shard]);
    EXPECT_FALSE(held.empty()) << "shard " << shard;  // 40 names reach all three
    for (const std::string& name : held) {
      EXPECT_EQ(ExpectedShard(AccountBucket(key_, name)), shard) << name;
      EXPECT_TRUE(everywhere.insert(name).second) << name << " is on two shards";
    }
  }
  EXPECT_EQ(everywhere, std::set<std::string>(names.begin(), names.end()));
  // Read back through the directory: merged in name order, candidates decoded with the
  // directory's served DBs.
  const auto listed = Open(uri_)->ListAccounts().value();
  ASSERT_EQ(listed.size(), names.size());
  EXPECT_TRUE(std::ranges::is_sorted(listed, {}, &AccountCounts::account));
  for (const std::string& name : names) {
    EXPECT_EQ(store_->LoadCandidates(name).value().size(), 1u) << name;
  }
  // A repeat counts once, whichever shard it goes to.
  std::vector<AccountVoucher> again;
  for (std::size_t i = 0; i < names.size(); ++i) again.push_back({names[i], vouchers_[i % 2]});
  EXPECT_EQ(store_->RecordAll(again).value(), std::vector<bool>(names.size(), false));
}

// A batch over three shards whose last shard fails: the parts before it committed, the call
// fails, and the client's retry counts each voucher once.
TEST_F(ShardedShareStoreTest, ABatchThatFailsOnOneShardCountsEachVoucherOnceWhenRetried) {
  const std::vector<std::string> names = {NameOnShard(0), NameOnShard(1), NameOnShard(2)};
  // Shard 2 refuses every account row for a moment (its buckets held by nobody).
  auto shard2 = PgConnection::Connect(shard_uris_[2]).value();
  ASSERT_TRUE(
      shard2->Execute("UPDATE held_buckets SET last_bucket = first_bucket", "writing").ok());
  std::vector<AccountVoucher> batch;
  for (const auto& name : names) batch.push_back({name, vouchers_[0]});
  EXPECT_EQ(store_->RecordAll(batch).status().code(), StatusCode::kIoError);
  EXPECT_EQ(AccountsIn(shard_uris_[2]), std::set<std::string>{});
  ASSERT_TRUE(shard2->Execute("UPDATE held_buckets SET last_bucket = 1023", "writing").ok());
  EXPECT_EQ(store_->RecordAll(batch).value(), (std::vector<bool>{false, false, true}));
  const auto accounts = store_->ListAccounts().value();
  ASSERT_EQ(accounts.size(), 3u);
  for (const auto& counts : accounts) {
    EXPECT_EQ(counts.vouchers, 1u) << counts.account;
  }
}

TEST_F(ShardedShareStoreTest, AttachingGivesAShardTheKeyOrRefusesOneWithAccountsUnderAnother) {
  // A database used as a store of its own, with an account: its buckets mean other accounts.
  // uri_ is postgresql:///NAME?host=...: a database named after it.
  const std::string name = uri_.substr(14, uri_.find('?') - 14);
  const auto used = testing::SharedPostgresServer().CreateDatabase(name + "_used");
  ASSERT_TRUE(used.ok());
  ASSERT_TRUE(Open(*used)->Record("alice", vouchers_[0]).value());
  const Status refused = AssignBuckets(uri_, 0, 10, *used);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  EXPECT_NE(refused.message().find("another bucket key"), std::string::npos) << refused.ToString();
  EXPECT_EQ(ReadShardMap(uri_)->shards.size(), 3u);  // the map is as it was

  // A store whose key changed after it was attached is refused when first used.
  ASSERT_TRUE(
      PgConnection::Connect(shard_uris_[1])
          .value()
          ->Execute("UPDATE store_meta SET bucket_key = '\\x00112233445566778899aabbccddeeff'",
                    "writing")
          .ok());
  auto store = Open(uri_);
  EXPECT_TRUE(store->Record(NameOnShard(0), vouchers_[0]).ok());
  const auto on_shard1 = store->Record(NameOnShard(1), vouchers_[0]);
  EXPECT_EQ(on_shard1.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(on_shard1.status().message().find("shard 1"), std::string::npos);
}

TEST_F(ShardedShareStoreTest, AShardUriWithAPasswordIsRefusedWithoutRepeatingIt) {
  const auto server_uri = shard_uris_[1];
  for (const char* uri :
       {"postgresql://hv:s3cret-pw@/other?host=/tmp", "postgresql:///other?password=s3cret-pw",
        "postgres://hv:s3cret-pw@localhost/other"}) {
    const Status refused = AssignBuckets(uri_, 0, 10, uri);
    EXPECT_EQ(refused.code(), StatusCode::kInvalidInput) << refused.ToString();
    EXPECT_NE(refused.message().find("password"), std::string::npos) << refused.ToString();
    EXPECT_EQ(refused.message().find("s3cret-pw"), std::string::npos) << refused.ToString();
  }
  EXPECT_EQ(AssignBuckets(uri_, 0, 10, "/var/lib/hv.sqlite").code(), StatusCode::kInvalidInput);
  EXPECT_EQ(AssignBuckets(uri_, 0, 10, uri_).code(), StatusCode::kInvalidInput);
  EXPECT_EQ(AssignBuckets(uri_, 10, 9, server_uri).code(), StatusCode::kInvalidInput);
  EXPECT_EQ(AssignBuckets(uri_, 0, 1024, server_uri).code(), StatusCode::kInvalidInput);
}

TEST_F(ShardedShareStoreTest, BucketsThatHoldAccountsAreNotMoved) {
  const std::string alice = NameOnShard(1);
  ASSERT_TRUE(store_->Record(alice, vouchers_[0]).value());
  const std::uint32_t bucket = AccountBucket(key_, alice);
  for (const std::string& to : {shard_uris_[2], std::string()}) {
    const Status refused = AssignBuckets(uri_, bucket, bucket, to);
    EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
    EXPECT_NE(refused.message().find("not built"), std::string::npos) << refused.ToString();
  }
  const auto map = ReadShardMap(uri_).value();
  ASSERT_EQ(map.runs.size(), 3u);
  EXPECT_EQ(map.runs[1].first, 341u);
  EXPECT_EQ(map.runs[1].last, 681u);
  // Still written and read where it is.
  ASSERT_TRUE(Open(uri_)->Record(alice, vouchers_[1]).value());
  EXPECT_EQ(AccountsIn(shard_uris_[1]), std::set<std::string>{alice});
  EXPECT_EQ(store_->LoadCandidates(alice).value().size(), 2u);
}

// Moving an empty bucket: a store opened before the change (a serve process not yet restarted)
// still routes it to its old shard, which now refuses it; a store opened after writes it to the
// new one. The account never lands on two shards.
TEST_F(ShardedShareStoreTest, AStoreRoutingByAnOldMapCannotWriteABucketThatMoved) {
  const std::string bob = NameOnShard(1);
  const std::uint32_t bucket = AccountBucket(key_, bob);
  auto stale = Open(uri_);
  ASSERT_TRUE(stale->ListAccounts().ok());  // its shards' connections are open
  ASSERT_TRUE(AssignBuckets(uri_, bucket, bucket, shard_uris_[2]).ok());
  const auto map = ReadShardMap(uri_).value();
  ASSERT_EQ(map.runs.size(), 5u);  // 0-340, 341..bucket-1, bucket, bucket+1..681, 682-1023
  EXPECT_EQ(map.runs[2].first, bucket);
  EXPECT_EQ(map.runs[2].shard, 2u);

  const auto refused = stale->Record(bob, vouchers_[0]);
  EXPECT_EQ(refused.status().code(), StatusCode::kIoError);
  EXPECT_TRUE(Open(uri_)->Record(bob, vouchers_[0]).value());
  EXPECT_EQ(AccountsIn(shard_uris_[1]), std::set<std::string>{});
  EXPECT_EQ(AccountsIn(shard_uris_[2]), std::set<std::string>{bob});
  // The other buckets of shard 1 stay writable through either store.
  EXPECT_TRUE(stale->Record(NameOnShard(1, {bob}), vouchers_[0]).value());

  // And back to the directory, once more while empty there.
  const std::string carol = NameOnShard(2, {bob});
  const std::uint32_t carol_bucket = AccountBucket(key_, carol);
  ASSERT_TRUE(AssignBuckets(uri_, carol_bucket, carol_bucket, "").ok());
  EXPECT_TRUE(Open(uri_)->Record(carol, vouchers_[0]).value());
  EXPECT_TRUE(AccountsIn(shard_uris_[0]).contains(carol));
}

// Two processors, each one run over every dirty bucket at once: every account is finished by
// exactly one of them, on whichever shard it lives.
TEST_F(ShardedShareStoreTest, TwoProcessorsAcrossShardsFinishEachAccountExactlyOnce) {
  const auto names = Names(64);
  RecordEach(*store_, names);
  std::set<std::size_t> dirty_shards;
  const auto dirty = store_->DirtyBuckets().value();
  for (const std::uint32_t bucket : dirty) {
    dirty_shards.insert(ExpectedShard(bucket));
  }
  EXPECT_EQ(dirty_shards.size(), 3u);

  EXPECT_EQ(FinishEveryDirtyAccountWithTwoProcessors(uri_),
            std::multiset<std::string>(names.begin(), names.end()));
  EXPECT_TRUE(store_->DirtyBuckets().value().empty());
}

// Shard 2 on a server of its own, which stops: its accounts fail with the store's "unreachable"
// error (naming the shard by number, not its URI), the others' are written and read as before,
// and once it is back everything works again.
TEST_F(ShardedShareStoreTest, AShardThatIsDownFailsOnlyItsOwnAccounts) {
  auto own = ::hashveil::testing::PostgresServer::Start();
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  const auto elsewhere = (*own)->CreateDatabase("shard");
  ASSERT_TRUE(elsewhere.ok());
  ASSERT_TRUE(AssignBuckets(uri_, 682, 1023, *elsewhere).ok());
  const std::string on[] = {NameOnShard(0), NameOnShard(1), NameOnShard(2)};
  auto before = Open(uri_);
  for (const auto& name : on) ASSERT_TRUE(before->Record(name, vouchers_[0]).value());

  ASSERT_TRUE((*own)->Stop().ok());
  auto after = Open(uri_);  // opening does not need the shard
  for (ShareStore* store : {before.get(), after.get()}) {
    for (std::size_t shard = 0; shard < 2; ++shard) {
      EXPECT_TRUE(store->Record(on[shard], vouchers_[1]).ok());
      EXPECT_EQ(store->LoadCandidates(on[shard]).value().size(), 2u);
    }
    const auto down = store->Record(on[2], vouchers_[1]);
    EXPECT_EQ(down.status().code(), StatusCode::kIoError);
    EXPECT_NE(down.status().message().find("unreachable"), std::string::npos)
        << down.status().ToString();
    EXPECT_EQ(down.status().message().find(*elsewhere), std::string::npos);
    EXPECT_EQ(store->ListAccounts().status().code(), StatusCode::kIoError);
  }
  const auto map = ReadShardMap(uri_).value();
  EXPECT_FALSE(map.shards[2].accounts.has_value());
  EXPECT_EQ(map.shards[1].accounts, 1u);

  ASSERT_TRUE((*own)->Resume().ok());
  // The first statement may find the old connection gone; the next opens it again.
  (void)before->LoadCandidates(on[2]);
  for (ShareStore* store : {before.get(), after.get()}) {
    EXPECT_TRUE(store->Record(on[2], vouchers_[1]).ok());
    EXPECT_EQ(store->ListAccounts().value().size(), 3u);
  }
}

}  // namespace
}  // namespace hashveil::psi
