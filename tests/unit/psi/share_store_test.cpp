// The share store's write path, on both backends: a batch of vouchers in one transaction, each
// counted once within and across batches; a bad batch stores nothing. SQLite's: a connection opened
// while another one writes waits for the lock instead of failing (the cause of the service's old
// 503 answers); a new store is readable by its owner only.
#include "hashveil/psi/share_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "hashveil/psi/threshold.h"
#include "store_backends.h"
#include "voucher_fixture.h"

namespace hashveil::psi {
namespace {

using testing::kAccount;

class ShareStoreBatchTest : public testing::VoucherTest,
                            public ::testing::WithParamInterface<testing::StoreBackend> {
 protected:
  std::unique_ptr<ShareStore> OpenStore() { return testing::OpenFreshStore(GetParam(), dir_); }

  OpenedVoucher OpenedFor(const Client& client, const matcher::PdqHash& hash) {
    auto opened = client.opener->Open(Build(*client.builder, InputFor(hash)), kAccount);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return std::move(opened).value();
  }
};

TEST_P(ShareStoreBatchTest, EachVoucherCountsOnceWithinAndAcrossBatches) {
  hashdb::DbBuildOptions options;
  options.threshold = 2;
  options.synthetic_rate_ppm = 0;
  options.key_scheme.probes = 4;
  const Client client = MakeClient(2, options);
  auto store = OpenStore();
  ASSERT_TRUE(store->RememberDbParams(Served(*client.db)).ok());
  const OpenedVoucher first = OpenedFor(client, members_[0].hash);
  const OpenedVoucher second = OpenedFor(client, members_[1].hash);
  const OpenedVoucher miss = OpenedFor(client, testing::RandomHash(*random_));
  ASSERT_TRUE(!first.candidates.empty() && !second.candidates.empty());
  ASSERT_TRUE(miss.candidates.empty());

  const AccountVoucher batch[] = {{"alice", first}, {"bob", first}, {"alice", first},
                                  {"alice", miss}};
  EXPECT_EQ(store->RecordAll(batch).value(), (std::vector<bool>{true, true, false, true}));
  const AccountVoucher next[] = {{"alice", first}, {"alice", second}};
  EXPECT_EQ(store->RecordAll(next).value(), (std::vector<bool>{false, true}));

  const auto accounts = store->ListAccounts().value();
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].account, "alice");
  EXPECT_EQ(accounts[0].vouchers, 3u);
  EXPECT_EQ(accounts[0].candidates, 2u);
  EXPECT_EQ(accounts[0].distinct_shares, 2u);
  EXPECT_EQ(accounts[1].vouchers, 1u);
  EXPECT_EQ(accounts[1].candidates, 1u);
  // The rows written through the reused statements are whole: alice's two reveal at t = 2.
  const auto candidates = store->LoadCandidates("alice").value();
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[0].id, first.header.id);
  EXPECT_EQ(candidates[1].id, second.header.id);
  const auto result = ProcessThreshold("alice", candidates, VoucherBuilder::ShapeOf(*client.db), 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, ThresholdResult::Outcome::kRevealed);
  EXPECT_EQ(result->revealed.size(), 2u);
}

TEST_P(ShareStoreBatchTest, ABatchWithABadAccountNameStoresNothing) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 0;
  const Client client = MakeClient(1, options);
  auto store = OpenStore();
  const OpenedVoucher voucher = OpenedFor(client, members_[0].hash);
  const AccountVoucher batch[] = {{"alice", voucher}, {"../alice", voucher}};
  EXPECT_EQ(store->RecordAll(batch).status().code(), StatusCode::kInvalidInput);
  EXPECT_TRUE(store->ListAccounts().value().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ShareStoreBatchTest, testing::kStoreBackends,
                         testing::StoreBackendParamName());

// A connection that held a read snapshot while asking for the write lock got SQLITE_BUSY at
// once, busy timeout or not. Opening must wait for the other writer like any transaction does.
TEST(ShareStoreOpenTest, OpeningWhileAnotherConnectionWritesWaitsForIt) {
  const auto dir = ::hashveil::testing::FreshDirForCurrentTest("hv-share-store");
  const auto path = dir / "server.sqlite";
  ASSERT_TRUE(ShareStore::Open(path).ok());
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer, "BEGIN IMMEDIATE; INSERT INTO accounts (name) VALUES ('held')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  Result<std::unique_ptr<ShareStore>> opened = Status::Internal("not opened");
  std::thread opener([&] { opened = ShareStore::Open(path); });
  // Long enough that Open meets the lock; an Open that starts only after the commit cannot fail
  // this test, it only leaves the wait unexercised.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(sqlite3_exec(writer, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  opener.join();
  sqlite3_close(writer);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const auto accounts = (*opened)->ListAccounts().value();
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].account, "held");
  std::filesystem::remove_all(dir);
}

TEST(ShareStoreOpenTest, CreatesTheStoreReadableByItsOwnerOnly) {
  const auto dir = ::hashveil::testing::FreshDirForCurrentTest("hv-share-store");
  const auto path = dir / "server.sqlite";
  const mode_t old_umask = ::umask(022);
  const bool opened = ShareStore::Open(path).ok();
  ::umask(old_umask);
  ASSERT_TRUE(opened);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hashveil::psi
