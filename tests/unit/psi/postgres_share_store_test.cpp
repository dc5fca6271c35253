// What only the PostgreSQL share store has (issue 13), against a real server: the schema version
// it refuses, the errors when the server is unreachable or goes away, several connections
// opening and writing one store at once, and every account's rows under its keyed bucket.
// The ShareStore behaviour both backends share is tested on both in share_store_test,
// threshold_test and epoch_rollover_test.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "account_bucket.h"
#include "pg_connection.h"
#include "postgres_share_store_schema.h"
#include "postgres_store_fixture.h"

namespace hashveil::psi {
namespace {

using testing::PostgresShareStoreTest;
using testing::SharedPostgresServer;

// The store's bucket key, as it keeps it.
BucketKey StoredBucketKey(PgConnection& connection) {
  const PgStatement query{"test_key", "SELECT bucket_key FROM store_meta"};
  const auto rows = connection.Run(query, PgParams(), "reading").value();
  BucketKey key{};
  EXPECT_EQ(rows.Bytes(0, 0).size(), key.size());
  std::ranges::copy(rows.Bytes(0, 0).first(key.size()), key.begin());
  return key;
}

TEST_F(PostgresShareStoreTest, AStoreOfANewerSchemaIsRefusedAndLeftAsItWas) {
  ASSERT_TRUE(OpenShareStore(uri_).ok());
  constexpr int kCurrent = kPostgresShareStoreSchemaVersion;
  const std::string newer = std::to_string(kCurrent + 1);
  ASSERT_TRUE(Connect()
                  ->Execute(("UPDATE store_meta SET schema_version = " + newer).c_str(), "writing")
                  .ok());
  const auto refused = OpenShareStore(uri_);
  ASSERT_EQ(refused.status().code(), StatusCode::kUnsupported) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("schema version " + newer +
                                            ", newer than this hashveil reads (" +
                                            std::to_string(kCurrent) + ")"),
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
  const BucketKey key = StoredBucketKey(*connection);
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

// RecordAll writes a batch in two pipelines (accounts and vouchers, then what the new ones
// bring). A voucher repeated inside the batch is found by the first pipeline's own earlier
// insert: counted once, its candidates and inconsistency once, one dirty mark per account.
// The accounts' candidates are stored in the order their vouchers arrived, although voucher
// rows are written in id order.
TEST_F(PostgresShareStoreTest, ABatchCountsARepeatInsideItOnceAndMarksEachAccountOnce) {
  const Client client = MakeClient(4, Options());
  auto store = OpenShareStore(uri_).value();
  ASSERT_TRUE(store->RememberDbParams(Served(*client.db)).ok());
  const auto vouchers = Vouchers(client, 3);
  // Arrival order against id order: `later_id` arrives first.
  const bool ascending = vouchers[0].header.id < vouchers[1].header.id;
  const OpenedVoucher& later_id = vouchers[ascending ? 1 : 0];
  const OpenedVoucher& earlier_id = vouchers[ascending ? 0 : 1];
  const OpenedVoucher inconsistent{.header = vouchers[2].header,
                                   .inconsistency = "two entries with one share x"};
  const AccountVoucher batch[] = {
      {"alice", later_id},     {"alice", earlier_id}, {"alice", later_id},    {"bob", later_id},
      {"alice", inconsistent}, {"alice", earlier_id}, {"alice", inconsistent}};
  EXPECT_EQ(store->RecordAll(batch).value(),
            (std::vector<bool>{true, true, false, true, true, false, false}));

  const auto accounts = store->ListAccounts().value();
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].vouchers, 3u);
  EXPECT_EQ(accounts[0].inconsistent, 1u);
  EXPECT_EQ(accounts[1].vouchers, 1u);
  const auto candidates = store->LoadCandidates("alice").value();
  ASSERT_EQ(candidates.size(), later_id.candidates.size() + earlier_id.candidates.size());
  EXPECT_EQ(candidates.front().id, later_id.header.id);
  EXPECT_EQ(candidates.back().id, earlier_id.header.id);
  auto connection = Connect();
  const PgStatement marks{"test_marks", "SELECT last_value FROM dirty_marks"};
  EXPECT_EQ(connection->Run(marks, PgParams(), "reading").value().Int(0, 0).value(), 2);

  // All of it again: nothing is new, nothing is added, nothing is marked.
  EXPECT_EQ(store->RecordAll(batch).value(), std::vector<bool>(std::size(batch), false));
  EXPECT_EQ(store->LoadCandidates("alice").value().size(), candidates.size());
  EXPECT_EQ(connection->Run(marks, PgParams(), "reading").value().Int(0, 0).value(), 2);
}

// A statement that fails late in a batch (a candidate breaking the table's uniqueness, in the
// second pipeline, after every voucher row and the other accounts' candidates and marks) rolls
// all of it back, the transaction's COMMIT in that pipeline skipped with it; the error has the
// SQLSTATE and no row's value, and the store goes on (its connection rolled back, not left in
// the aborted transaction).
TEST_F(PostgresShareStoreTest, ABatchWhoseLaterStatementFailsStoresNothing) {
  const Client client = MakeClient(4, Options());
  auto store = OpenShareStore(uri_).value();
  ASSERT_TRUE(store->RememberDbParams(Served(*client.db)).ok());
  auto vouchers = Vouchers(client, 4);
  // Another voucher of the same image has the same share x: the broken one has it twice.
  auto twins = Vouchers(client, 4);
  OpenedVoucher& broken = twins[3];
  ASSERT_FALSE(broken.candidates.empty() || vouchers[3].candidates.empty());
  broken.candidates.push_back(std::move(vouchers[3].candidates.front()));

  // The broken voucher's account is the batch's last in bucket order.
  auto connection = Connect();
  const BucketKey key = StoredBucketKey(*connection);
  std::vector<std::string> names = {"alice", "bob", "carol", "dave", "erin", "mallory"};
  std::ranges::sort(names, {}, [&](const std::string& name) { return AccountBucket(key, name); });
  std::vector<AccountVoucher> batch;
  for (const auto& name : names) {
    for (int i = 0; i < 3; ++i) batch.push_back({name, vouchers[i]});
  }
  batch.push_back({names.back(), broken});

  const auto failed = store->RecordAll(batch);
  ASSERT_EQ(failed.status().code(), StatusCode::kIoError);
  const std::string message = failed.status().message();
  EXPECT_NE(message.find("SQLSTATE 23505"), std::string::npos) << message;
  EXPECT_EQ(message.find("unreachable"), std::string::npos) << message;
  EXPECT_EQ(message.find(names.back()), std::string::npos) << message;
  const PgStatement rows_query{
      "test_rows",
      "SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM vouchers)"
      " + (SELECT count(*) FROM candidates) + (SELECT count(*) FROM dirty_accounts)"};
  EXPECT_EQ(connection->Run(rows_query, PgParams(), "reading").value().Int(0, 0).value(), 0);

  batch.pop_back();
  EXPECT_EQ(store->RecordAll(batch).value(), std::vector<bool>(batch.size(), true));
  EXPECT_EQ(store->ListAccounts().value().size(), names.size());
}

// A statement that fails early in a batch (a voucher row another transaction holds, past the
// store's lock_timeout, in the first pipeline: the one BEGIN travels with, after the other
// accounts' rows) rolls all of it back; the store's connection is not left in the aborted
// transaction: once the other one ends, the same store stores the batch whole.
TEST_F(PostgresShareStoreTest, ABatchWhoseFirstPipelineFailsStoresNothing) {
  const Client client = MakeClient(4, Options());
  auto store = OpenShareStore(uri_ + "&options=-c%20lock_timeout%3D200").value();
  ASSERT_TRUE(store->RememberDbParams(Served(*client.db)).ok());
  const auto vouchers = Vouchers(client, 3);
  auto connection = Connect();
  const BucketKey key = StoredBucketKey(*connection);
  std::vector<std::string> names = {"alice", "bob", "carol", "dave"};
  std::ranges::sort(names, {}, [&](const std::string& name) { return AccountBucket(key, name); });
  std::vector<AccountVoucher> batch;
  for (const auto& name : names) {
    for (const auto& voucher : vouchers) batch.push_back({name, voucher});
  }

  auto holder = Connect();
  ASSERT_TRUE(holder->Execute("BEGIN", "starting").ok());
  const PgStatement hold{"test_hold",
                         "INSERT INTO vouchers (bucket, account, voucher_id, epoch)"
                         " VALUES ($1, $2, $3, $4)"};
  const OpenedVoucher& held = vouchers.back();
  ASSERT_TRUE(holder
                  ->Run(hold,
                        PgParams()
                            .Int(AccountBucket(key, names.back()))
                            .Text(names.back())
                            .Bytes(held.header.id)
                            .Int(static_cast<std::int64_t>(held.header.epoch)),
                        "writing")
                  .ok());
  const auto failed = store->RecordAll(batch);
  ASSERT_EQ(failed.status().code(), StatusCode::kIoError);
  EXPECT_NE(failed.status().message().find("SQLSTATE 55P03"), std::string::npos)
      << failed.status().ToString();
  ASSERT_TRUE(holder->Execute("ROLLBACK", "rolling back").ok());
  const PgStatement rows_query{"test_rows",
                               "SELECT (SELECT count(*) FROM accounts)"
                               " + (SELECT count(*) FROM vouchers)"};
  EXPECT_EQ(connection->Run(rows_query, PgParams(), "reading").value().Int(0, 0).value(), 0);

  const auto stored = store->RecordAll(batch);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(*stored, std::vector<bool>(batch.size(), true));
  EXPECT_EQ(connection->Run(rows_query, PgParams(), "reading").value().Int(0, 0).value(),
            static_cast<std::int64_t>(names.size() + batch.size()));
}

// A batch of vouchers that bring nothing more (no candidate, no inconsistency) has no second
// pipeline: its transaction ends with a COMMIT of its own, and its rows are there for others.
TEST_F(PostgresShareStoreTest, ABatchWithNothingMoreToAddIsCommittedToo) {
  const Client client = MakeClient(4, Options());
  auto store = OpenShareStore(uri_).value();
  ASSERT_TRUE(store->RememberDbParams(Served(*client.db)).ok());
  const auto vouchers = Vouchers(client, 2);
  const OpenedVoucher bare[] = {{.header = vouchers[0].header}, {.header = vouchers[1].header}};
  const AccountVoucher batch[] = {{"alice", bare[0]}, {"alice", bare[1]}, {"bob", bare[0]}};
  EXPECT_EQ(store->RecordAll(batch).value(), std::vector<bool>(3, true));
  const auto accounts = OpenShareStore(uri_).value()->ListAccounts().value();
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].vouchers, 2u);
  EXPECT_EQ(accounts[1].vouchers, 1u);
  EXPECT_TRUE(store->DirtyBuckets().value().empty());
}

// The server restarts between two batches: the first after it finds the connection lost and
// reports the server unreachable, storing nothing; the next one connects again and stores all.
TEST_F(PostgresShareStoreTest, ABatchAcrossARestartIsUnreachableAndTheNextIsStored) {
  const Client client = MakeClient(8, Options());
  auto store = OpenShareStore(uri_).value();
  ASSERT_TRUE(store->RememberDbParams(Served(*client.db)).ok());
  const auto vouchers = Vouchers(client, 8);
  std::vector<AccountVoucher> batch;
  for (const auto& name : {"alice", "bob"}) {
    for (const auto& voucher : vouchers) batch.push_back({name, voucher});
  }
  const std::span<const AccountVoucher> first(batch.data(), 4), rest(batch);
  ASSERT_TRUE(store->RecordAll(first).ok());

  ASSERT_TRUE(SharedPostgresServer().Stop().ok());
  ASSERT_TRUE(SharedPostgresServer().Resume().ok());
  const auto lost = store->RecordAll(rest);
  ASSERT_EQ(lost.status().code(), StatusCode::kIoError);
  EXPECT_NE(lost.status().message().find("unreachable"), std::string::npos)
      << lost.status().ToString();
  const auto stored = store->RecordAll(rest);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(std::ranges::count(*stored, true), 16 - 4);
  const auto accounts = store->ListAccounts().value();
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].vouchers + accounts[1].vouchers, 16u);
}

// A batch as large as serve's group committer makes by default and more (64 vouchers of 8
// accounts, every statement in two pipelines) is stored whole.
TEST_F(PostgresShareStoreTest, ABatchOf64VouchersIsStoredWhole) {
  const Client client = MakeClient(8, Options());
  auto store = OpenShareStore(uri_).value();
  ASSERT_TRUE(store->RememberDbParams(Served(*client.db)).ok());
  const auto vouchers = Vouchers(client, 8);
  const std::vector<std::string> names = {"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"};
  std::vector<AccountVoucher> batch;
  for (const auto& voucher : vouchers) {
    for (const auto& name : names) batch.push_back({name, voucher});
  }
  ASSERT_EQ(batch.size(), 64u);
  const auto added = store->RecordAll(batch);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, std::vector<bool>(64, true));
  const auto accounts = store->ListAccounts().value();
  ASSERT_EQ(accounts.size(), names.size());
  for (const auto& account : accounts) {
    EXPECT_EQ(account.vouchers, 8u) << account.account;
    EXPECT_EQ(account.distinct_shares, 8u) << account.account;
  }
  const BucketKey key = StoredBucketKey(*Connect());
  std::set<std::uint32_t> buckets;
  for (const auto& name : names) buckets.insert(AccountBucket(key, name));
  const auto dirty = store->DirtyBuckets().value();
  EXPECT_EQ(std::set<std::uint32_t>(dirty.begin(), dirty.end()), buckets);
}

// PgConnection's pipelines: rows in order, a statement used twice prepared once, the first
// real failure reported (not the statements the server then skipped), a lost conflict run
// again by InTransaction, and a connection lost inside a transaction opened again after it.
TEST_F(PostgresShareStoreTest, APipelineAnswersInOrderAndReportsItsFirstFailure) {
  auto connection = Connect();
  const PgStatement add{"test_add", "SELECT $1::bigint + 1"};
  for (int round = 0; round < 2; ++round) {  // prepared in the first pipeline, reused after
    PgPipeline pipeline;
    for (int i = 0; i < 5; ++i) pipeline.Add(add).Int(std::int64_t{10 * i});
    const auto rows = connection->RunPipeline(pipeline, "reading");
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->size(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ((*rows)[i].Int(0, 0).value(), 10 * i + 1);
  }

  const PgStatement conflict{"test_conflict",
                             "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001'; END $$"};
  int attempts = 0;
  const Status lost = connection->InTransaction([&] {
    ++attempts;
    PgPipeline pipeline;
    pipeline.Add(add).Int(std::int64_t{1});
    pipeline.Add(conflict);
    pipeline.Add(add).Int(std::int64_t{2});
    return connection->RunPipeline(pipeline, "writing").status();
  });
  EXPECT_EQ(attempts, 3);
  EXPECT_NE(lost.message().find("SQLSTATE 40001"), std::string::npos) << lost.ToString();
  EXPECT_EQ(lost.message().find("unreachable"), std::string::npos) << lost.ToString();

  const PgStatement pid{"test_pid", "SELECT pg_backend_pid()::bigint"};
  const PgStatement terminate{"test_terminate",
                              "SELECT pg_terminate_backend($1::integer, 5000)::integer::bigint"};
  auto other = Connect();
  const Status cut = connection->InTransaction([&]() -> Status {
    HV_ASSIGN_OR_RETURN(const PgRows backend, connection->Run(pid, PgParams(), "reading"));
    HV_ASSIGN_OR_RETURN(const std::int64_t backend_pid, backend.Int(0, 0));
    HV_RETURN_IF_ERROR(other->Run(terminate, PgParams().Int(backend_pid), "killing").status());
    PgPipeline pipeline;
    pipeline.Add(add).Int(std::int64_t{1});
    return connection->RunPipeline(pipeline, "writing").status();
  });
  EXPECT_EQ(cut.code(), StatusCode::kIoError);
  EXPECT_NE(cut.message().find("unreachable"), std::string::npos) << cut.ToString();
  PgPipeline after;
  after.Add(add).Int(std::int64_t{41});
  const auto again = connection->RunPipeline(after, "reading");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)[0].Int(0, 0).value(), 42);
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

// A test process killed outright never runs the destructor that stops its server; the next
// Start stops and removes the servers whose owning process is gone, and no other.
TEST(PostgresServerTest, StartStopsTheServersOfTestProcessesThatAreGone) {
  auto orphan = ::hashveil::testing::PostgresServer::Start();
  ASSERT_TRUE(orphan.ok()) << orphan.status().ToString();
  auto alive = ::hashveil::testing::PostgresServer::Start();
  ASSERT_TRUE(alive.ok()) << alive.status().ToString();
  const pid_t gone = ::fork();  // a pid that is certainly no longer running
  if (gone == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(gone, nullptr, 0), gone);
  std::ofstream((*orphan)->dir() / "owner.pid") << gone << "\n";

  auto next = ::hashveil::testing::PostgresServer::Start();
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_FALSE(std::filesystem::exists((*orphan)->dir()));
  EXPECT_TRUE(std::filesystem::exists((*alive)->dir()));
  EXPECT_TRUE((*alive)->CreateDatabase("still_served").ok());
}

}  // namespace
}  // namespace hashveil::psi
