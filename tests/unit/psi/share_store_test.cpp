// The share store's connections: one opened while another one writes waits for the lock instead
// of failing (the cause of the service's old 503 answers).
#include "hashveil/psi/share_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "support/test_paths.h"

namespace hashveil::psi {
namespace {

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

}  // namespace
}  // namespace hashveil::psi
