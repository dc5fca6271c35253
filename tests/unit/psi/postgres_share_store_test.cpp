// What only the PostgreSQL share store has (issue 13), against a real server: the schema version
// it refuses, the errors when the server is unreachable or goes away, several connections
// opening and writing one store at once, and every account's rows under its keyed bucket.
// The ShareStore behaviour both backends share is tested on both in share_store_test,
// threshold_test and epoch_rollover_test.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "account_bucket.h"
#include "pg_connection.h"
#include "postgres_store_fixture.h"

namespace hashveil::psi {
namespace {

using testing::PostgresShareStoreTest;
using testing::SharedPostgresServer;

TEST_F(PostgresShareStoreTest, AStoreOfANewerSchemaIsRefusedAndLeftAsItWas) {
  ASSERT_TRUE(OpenShareStore(uri_).ok());
  ASSERT_TRUE(Connect()->Execute("UPDATE store_meta SET schema_version = 3", "writing").ok());
  const auto refused = OpenShareStore(uri_);
  ASSERT_EQ(refused.status().code(), StatusCode::kUnsupported) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("schema version 3, newer than this hashveil reads (2)"),
            std::string::npos)
      << refused.status().ToString();
  // Still refused: opening changed nothing.
  EXPECT_EQ(OpenShareStore(uri_).status().code(), StatusCode::kUnsupported);
}

TEST_F(PostgresShareStoreTest, ReopeningKeepsTheSchemaTheRowsAndTheBucketKey) {
  const Client client = MakeClient(2, Options());
  {
    auto store = OpenShareStore(uri_).value();
    ASSERT_TRUE(store->RememberDbParams(Served(*client.db)).ok());
    ASSERT_TRUE(store->Record("alice", Vouchers(client, 1)[0]).value());
  }
  auto reopened = OpenShareStore(uri_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->LoadCandidates("alice").value().size(), 1u);  // found in its bucket
  EXPECT_EQ(*(*reopened)->LoadDbParams().value(), Served(*client.db));
}

// No server on the socket: a clear kIoError naming neither the URI's password nor its path.
TEST(PostgresShareStoreErrorTest, AnUnreachableServerGivesAClearErrorWithoutTheUri) {
  const auto dir = ::hashveil::testing::FreshDirForCurrentTest("hv-pg-none");
  const std::string uri = "postgresql://hv:s3cret-pw@/hv?host=" + dir.string();
  const auto store = OpenShareStore(uri);
  ASSERT_EQ(store.status().code(), StatusCode::kIoError);
  const std::string message = store.status().message();
  EXPECT_NE(message.find("unreachable"), std::string::npos) << message;
  EXPECT_EQ(message.find("s3cret-pw"), std::string::npos) << message;
  EXPECT_EQ(message.find(dir.string()), std::string::npos) << message;
  std::filesystem::remove_all(dir);
}

// The server stops under an open store: each call fails with a clear error, none crashes; once
// it is back, the store connects again and finds every row it committed.
TEST_F(PostgresShareStoreTest, AServerThatStopsGivesErrorsAndLosesNoCommittedRow) {
  const Client client = MakeClient(2, Options());
  auto store = OpenShareStore(uri_).value();
  ASSERT_TRUE(store->RememberDbParams(Served(*client.db)).ok());
  const auto vouchers = Vouchers(client, 2);
  ASSERT_TRUE(store->Record("alice", vouchers[0]).value());

  ASSERT_TRUE(SharedPostgresServer().Stop().ok());
  const auto listed = store->ListAccounts();
  EXPECT_EQ(listed.status().code(), StatusCode::kIoError);
  EXPECT_NE(listed.status().message().find("unreachable"), std::string::npos)
      << listed.status().ToString();
  EXPECT_EQ(store->Record("alice", vouchers[1]).status().code(), StatusCode::kIoError);
  EXPECT_EQ(OpenShareStore(uri_).status().code(), StatusCode::kIoError);
  ASSERT_TRUE(SharedPostgresServer().Resume().ok());

  // The same store connects again by itself (as serve's pooled ones must).
  const auto accounts = store->ListAccounts();
  ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
  ASSERT_EQ(accounts->size(), 1u);
  EXPECT_EQ((*accounts)[0].vouchers, 1u);
  EXPECT_TRUE(store->Record("alice", vouchers[1]).value());
  EXPECT_EQ(OpenShareStore(uri_).value()->LoadCandidates("alice").value().size(), 2u);
}

// Serve processes on many machines share one store: they open it at once (the schema is made
// once) and write the same vouchers in opposite orders (each counted once, no deadlock error).
TEST_F(PostgresShareStoreTest, ConnectionsOpeningAndWritingAtOnceCountEachVoucherOnce) {
  const Client client = MakeClient(8, Options());
  const auto vouchers = Vouchers(client, 8);
  std::vector<AccountVoucher> forward;
  for (const auto& name : {"alice", "bob", "carol"}) {
    for (const auto& voucher : vouchers) forward.push_back({name, voucher});
  }
  const std::vector<AccountVoucher> backward(forward.rbegin(), forward.rend());
  constexpr int kWriters = 4;
  std::vector<Result<std::vector<bool>>> results(kWriters, Status::Internal("not run"));
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto store = OpenShareStore(uri_);
      if (!store.ok()) {
        results[w] = store.status();
        return;
      }
      if (w == 0) {
        EXPECT_TRUE((*store)->RememberDbParams(Served(*client.db)).ok());
      }
      for (int round = 0; round < 5; ++round) {
        results[w] = (*store)->RecordAll(w % 2 == 0 ? forward : backward);
        if (!results[w].ok()) return;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  std::size_t added = 0;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    for (const bool is_new : *result) added += is_new;
  }
  EXPECT_EQ(added, 0u);  // the last round of each writer found every voucher stored
  auto store = OpenShareStore(uri_).value();
  const auto accounts = store->ListAccounts().value();
  ASSERT_EQ(accounts.size(), 3u);
  for (const auto& account : accounts) {
    EXPECT_EQ(account.vouchers, 8u) << account.account;
    EXPECT_EQ(account.distinct_shares, 8u) << account.account;
  }
}

// Every row of an account carries the bucket of its name under the store's own key.
TEST_F(PostgresShareStoreTest, EveryRowOfAnAccountIsInItsKeyedBucket) {
  const Client client = MakeClient(2, Options());
  auto store = OpenShareStore(uri_).value();
  ASSERT_TRUE(store->RememberDbParams(Served(*client.db)).ok());
  const auto vouchers = Vouchers(client, 2);
  for (const auto& name : {"alice", "bob", "carol", "dave"}) {
    for (const auto& voucher : vouchers) ASSERT_TRUE(store->Record(name, voucher).ok());
  }
  ASSERT_TRUE(store->RecordRefused("erin").ok());
  auto connection = Connect();
  const PgStatement key_query{"test_key", "SELECT bucket_key FROM store_meta"};
  const auto key_rows = connection->Run(key_query, PgParams(), "reading").value();
  BucketKey key{};
  ASSERT_EQ(key_rows.Bytes(0, 0).size(), key.size());
  std::ranges::copy(key_rows.Bytes(0, 0), key.begin());
  const PgStatement rows_query{"test_rows",
                               "SELECT account, bucket::bigint FROM vouchers UNION ALL"
                               " SELECT account, bucket::bigint FROM candidates UNION ALL"
                               " SELECT name, bucket::bigint FROM accounts"};
  const auto rows = connection->Run(rows_query, PgParams(), "reading").value();
  ASSERT_EQ(rows.size(), 4 * 2 + 4 * 2 + 5);
  for (int row = 0; row < rows.size(); ++row) {
    EXPECT_EQ(rows.Int(row, 1).value(), AccountBucket(key, rows.Text(row, 0))) << rows.Text(row, 0);
  }
}

TEST(AccountBucketTest, IsKeyedAndSpreadsNamesOverAllBuckets) {
  const BucketKey zero{}, other = RandomBucketKey().value();
  // Pinned, from an independent SipHash-2-4 (checked on the paper's vector a129ca6149be45e5):
  // sharded stores map buckets to shards, so the hash must never change.
  EXPECT_EQ(AccountBucket(zero, "alice"), 495u);
  EXPECT_EQ(AccountBucket(zero, "bob"), 690u);
  std::set<std::uint32_t> seen;
  int moved = 0;
  for (int i = 0; i < 8192; ++i) {
    const std::string name = "account" + std::to_string(i);
    const std::uint32_t bucket = AccountBucket(zero, name);
    ASSERT_LT(bucket, kAccountBuckets);
    seen.insert(bucket);
    moved += AccountBucket(other, name) != bucket;
  }
  EXPECT_GT(seen.size(), 1000u);  // 8 names a bucket on average: all but ~0.03% are hit
  EXPECT_GT(moved, 8000);         // another key, another map
}

}  // namespace
}  // namespace hashveil::psi
