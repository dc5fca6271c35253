// `server process` on a PostgreSQL store as a job over buckets (issue 13), through the real
// binary against a throwaway server: two processes racing over the same dirty accounts report
// each one exactly once and together all of them; a process killed (kill -9) in the middle of a
// bucket leaves the accounts it had not finished dirty, and the next run finishes exactly those.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pg_connection.h"
#include "postgres_cli_fixture.h"
#include "serve_fixture.h"
#include "support/cli_runner.h"
#include "support/postgres_server.h"
#include "support/test_paths.h"

namespace hashveil {
namespace {

namespace fs = std::filesystem;

// Every account of these tests sends the vouchers of the 4 member photos: each crosses t = 3.
const std::vector<std::string> kAccounts = {"alice", "bob", "carol", "dave", "erin", "frank"};

class PostgresProcessingCliTest : public testing::PostgresCliTest {
 protected:
  PostgresProcessingCliTest() : PostgresCliTest("hv-pg-job") {}
  void SetUp() override {
    PostgresCliTest::SetUp();
    if (!HasFatalFailure()) uri_ = CreateDatabase("hv");
  }

  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  // Each of kAccounts scans the member photos on its own device and sends the vouchers.
  void IngestEveryAccount(const std::vector<fs::path>& photos) {
    testing::MakeServeFiles(dir_, photos);
    for (const std::string& account : kAccounts) {
      std::string members;
      for (std::size_t i = 0; i < 4; ++i) members += " '" + photos[i].string() + "'";
      testing::RunOk(std::string(HASHVEIL_BINARY) + " scan --db " + P("client.hvdb") +
                     " --publisher " + P("pub.key.pub") + " --account " + P(account + ".state") +
                     " --min-synthetic-rate 0 --out " + P("vouchers-" + account) + members);
      std::string files;
      for (std::size_t i = 0; i < 4; ++i) {
        files += " " + P("vouchers-" + account + "/" + photos[i].filename().string() + ".voucher");
      }
      const auto ingest =
          testing::RunCli(HASHVEIL_BINARY,
                          "server ingest --store '" + uri_ + "' --secret " + P("server.key") +
                              " --db " + P("client.hvdb") + " --publisher " + P("pub.key.pub") +
                              " --account " + account + files,
                          dir_ / "stderr");
      ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
    }
  }

  std::vector<std::string> ProcessArgv() const {
    return {HASHVEIL_BINARY, "server",    "process",     "--store",   uri_,        "--secret",
            P("server.key"), "--sources", P("S.sqlite"), "--reports", P("reports")};
  }

  std::unique_ptr<psi::PgConnection> Connect() const {
    auto connection = psi::PgConnection::Connect(uri_);
    EXPECT_TRUE(connection.ok()) << connection.status().ToString();
    return std::move(connection).value();
  }

  // The dirty accounts in the order a processor takes them: by bucket, then by name.
  std::vector<std::string> Dirty() const {
    const psi::PgStatement query{"test_dirty",
                                 "SELECT account FROM dirty_accounts ORDER BY bucket, account"};
    const auto rows = Connect()->Run(query, psi::PgParams(), "reading").value();
    std::vector<std::string> accounts;
    for (int row = 0; row < rows.size(); ++row) accounts.push_back(rows.Text(row, 0));
    return accounts;
  }

  // Polls `count_sql` (one bigint) until it gives `wanted`, for up to 30 s.
  bool WaitFor(const char* count_sql, std::int64_t wanted) const {
    const psi::PgStatement query{"test_poll", count_sql};
    const auto connection = Connect();
    for (int i = 0; i < 600; ++i) {
      const auto rows = connection->Run(query, psi::PgParams(), "reading");
      if (rows.ok() && rows->size() == 1 && *rows->Int(0, 0) == wanted) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // The accounts named by `lines` (`account=NAME ...`), in order.
  static std::vector<std::string> AccountsOf(const std::string& lines) {
    std::vector<std::string> accounts;
    std::istringstream in(lines);
    for (std::string line; std::getline(in, line);) {
      EXPECT_EQ(line.rfind("account=", 0), 0u) << line;
      EXPECT_NE(line.find(" reported=yes "), std::string::npos) << line;
      accounts.push_back(line.substr(8, line.find(' ') - 8));
    }
    return accounts;
  }

  std::string uri_;
};

TEST_F(PostgresProcessingCliTest, TwoProcessesRacingReportEachAccountExactlyOnce) {
  HV_REQUIRE_PINNED_PHOTOS(pinned);
  ASSERT_GE(pinned.size(), 10u);
  IngestEveryAccount(pinned);
  ASSERT_EQ(Dirty().size(), kAccounts.size());

  testing::ChildProcess first(ProcessArgv(), dir_ / "first.out");
  testing::ChildProcess second(ProcessArgv(), dir_ / "second.out");
  EXPECT_EQ(first.Wait(), 0);
  EXPECT_EQ(second.Wait(), 0);
  const auto by_first = AccountsOf(first.Output());
  const auto by_second = AccountsOf(second.Output());
  std::multiset<std::string> reported(by_first.begin(), by_first.end());
  reported.insert(by_second.begin(), by_second.end());
  EXPECT_EQ(reported, std::multiset<std::string>(kAccounts.begin(), kAccounts.end()))
      << first.Output() << "---\n"
      << second.Output();
  for (const std::string& account : kAccounts) {
    EXPECT_TRUE(fs::exists(P("reports/" + account + ".json"))) << account;
  }
  EXPECT_TRUE(Dirty().empty());
  // Nothing is dirty any more: a third run processes and prints nothing.
  testing::ChildProcess third(ProcessArgv(), dir_ / "third.out");
  EXPECT_EQ(third.Wait(), 0);
  EXPECT_EQ(third.Output(), "");
}

// The test holds the row of the third account's mark, so the processor stops there: its
// report written, its mark not yet cleared. Killed then, it has finished the first two only.
TEST_F(PostgresProcessingCliTest, AProcessKilledMidwayLeavesWhatItDidNotFinishDirty) {
  HV_REQUIRE_PINNED_PHOTOS(pinned);
  ASSERT_GE(pinned.size(), 10u);
  IngestEveryAccount(pinned);
  const std::vector<std::string> order = Dirty();
  ASSERT_EQ(order.size(), kAccounts.size());

  const auto holder = Connect();
  ASSERT_TRUE(holder->Execute("BEGIN", "starting").ok());
  const psi::PgStatement hold{"test_hold",
                              "SELECT 1 FROM dirty_accounts WHERE account = $1 FOR UPDATE"};
  ASSERT_TRUE(holder->Run(hold, psi::PgParams().Text(order[2]), "locking").ok());
  testing::ChildProcess killed(ProcessArgv(), dir_ / "killed.out");
  ASSERT_TRUE(WaitFor("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'", 1));
  killed.Signal(SIGKILL);
  killed.Wait();
  ASSERT_TRUE(holder->Execute("ROLLBACK", "rolling back").ok());
  // The server ends the killed process's session, and with it its claim on the bucket.
  ASSERT_TRUE(WaitFor("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'", 0));
  const std::vector<std::string> unfinished(order.begin() + 2, order.end());
  EXPECT_EQ(Dirty(), unfinished);
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(fs::exists(P("reports/" + order[i] + ".json")), i <= 2) << order[i];
  }

  const auto next =
      testing::RunCli(HASHVEIL_BINARY,
                      "server process --store '" + uri_ + "' --secret " + P("server.key") +
                          " --sources " + P("S.sqlite") + " --reports " + P("reports"),
                      dir_ / "stderr");
  ASSERT_EQ(next.exit_code, 0) << next.err;
  std::vector<std::string> finished = AccountsOf(next.out);
  std::vector<std::string> expected = unfinished;
  std::ranges::sort(expected);  // lines come by name
  EXPECT_EQ(finished, expected) << next.out;
  EXPECT_TRUE(Dirty().empty());
  for (const std::string& account : kAccounts) {
    EXPECT_TRUE(fs::exists(P("reports/" + account + ".json"))) << account;
  }
}

}  // namespace
}  // namespace hashveil
