// `server ingest` and `server process`, and `hashveil serve`, through the real binary with
// --store a SQLite file and then a PostgreSQL URI (a throwaway server, tests/support): the same
// vouchers give the same answers, output lines and reports (issue 13: same semantics, same
// output; PostgreSQL processes only the accounts with new candidates). And a URI whose server is
// down fails with a clear message, without the URI's password.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "http_warm_up.h"
#include "postgres_cli_fixture.h"
#include "serve_fixture.h"
#include "support/cli_runner.h"
#include "support/postgres_server.h"
#include "support/test_paths.h"

namespace hashveil {
namespace {

namespace fs = std::filesystem;

class PostgresStoreCliTest : public testing::PostgresCliTest {
 protected:
  PostgresStoreCliTest() : PostgresCliTest("hv-pg-cli") {}

  testing::CliRun Run(const std::string& args) const {
    return testing::RunCli(HASHVEIL_BINARY, args, dir_ / "stderr");
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  // What the server side prints and writes for one store: ingest lines, the process lines, and
  // every report file by name.
  struct Outputs {
    std::vector<std::string> lines;
    std::map<std::string, std::string> reports;
  };
  // The serve fixture's vouchers (testing::MakeServeFiles, all from one device): the 4 members
  // and 2 others for alice, twice (the second time all duplicates), the 4 last others for bob,
  // then a file that is no voucher for bob (refused).
  Outputs IngestAndProcess(const std::string& store, const std::string& reports,
                           const std::vector<std::string>& vouchers) {
    Outputs outputs;
    const std::string common = " --store '" + store + "' --secret " + P("server.key");
    for (const auto& [account, first, last] :
         {std::tuple{"alice", 0, 6}, std::tuple{"alice", 0, 6}, std::tuple{"bob", 6, 10}}) {
      std::string files;
      for (int i = first; i < last; ++i) files += " " + P("vouchers/" + vouchers[i]);
      const auto ingest = Run("server ingest" + common + " --db " + P("client.hvdb") +
                              " --publisher " + P("pub.key.pub") + " --account " + account + files);
      EXPECT_EQ(ingest.exit_code, 0) << ingest.err;
      outputs.lines.push_back(ingest.out);
    }
    const auto refused = Run("server ingest" + common + " --account bob " + P("members.csv"));
    EXPECT_EQ(refused.exit_code, 1) << refused.err;
    outputs.lines.push_back(refused.out + refused.err);
    const auto process =
        Run("server process" + common + " --sources " + P("S.sqlite") + " --reports " + P(reports));
    EXPECT_EQ(process.exit_code, 0) << process.err;
    outputs.lines.push_back(process.out);
    for (const auto& entry : fs::directory_iterator(P(reports))) {
      outputs.reports[entry.path().filename().string()] = testing::ReadTextFile(entry.path());
    }
    return outputs;
  }
};

TEST_F(PostgresStoreCliTest, IngestAndProcessGiveTheSameOutputOnSqliteAndPostgres) {
  HV_REQUIRE_PINNED_PHOTOS(pinned);
  ASSERT_GE(pinned.size(), 10u);
  const auto vouchers = testing::MakeServeFiles(dir_, pinned);  // t = 3, no synthetics
  const Outputs sqlite = IngestAndProcess(P("server.sqlite"), "reports-sqlite", vouchers);
  auto uri = server_->CreateDatabase("hv");
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  const Outputs postgres = IngestAndProcess(*uri, "reports-postgres", vouchers);
  // PostgreSQL processes only the dirty accounts, those whose vouchers added candidates: not bob,
  // whose vouchers opened nothing. Every other line and every report is SQLite's.
  ASSERT_EQ(sqlite.lines.size(), 5u);
  ASSERT_EQ(postgres.lines.size(), 5u);
  EXPECT_EQ(std::vector(postgres.lines.begin(), postgres.lines.end() - 1),
            std::vector(sqlite.lines.begin(), sqlite.lines.end() - 1));
  EXPECT_EQ(postgres.lines[4], testing::AccountLine(sqlite.lines[4], "alice") + "\n");
  EXPECT_NE(sqlite.lines[4].find("account=bob vouchers=4 candidates=0 "), std::string::npos)
      << sqlite.lines[4];
  EXPECT_EQ(postgres.reports, sqlite.reports);
  // What the two compared: alice crossed t, bob did not, the repeat counted once.
  EXPECT_NE(sqlite.lines[1].find("accepted=0 duplicates=6"), std::string::npos) << sqlite.lines[1];
  EXPECT_NE(sqlite.lines[4].find("account=alice vouchers=6 candidates=4 "), std::string::npos)
      << sqlite.lines[4];
  EXPECT_NE(sqlite.lines[4].find("reported=yes"), std::string::npos) << sqlite.lines[4];
  EXPECT_TRUE(sqlite.reports.contains("alice.json"));
  EXPECT_FALSE(sqlite.reports.contains("bob.json"));
}

// Four clients posting at once: their vouchers go through the group commit, batched.
TEST_F(PostgresStoreCliTest, ServeAnswersAndProcessesAlikeOnSqliteAndPostgres) {
  HV_REQUIRE_PINNED_PHOTOS(pinned);
  ASSERT_GE(pinned.size(), 10u);
  std::vector<std::string> vouchers;
  for (const auto& name : testing::MakeServeFiles(dir_, pinned)) {
    vouchers.push_back(testing::ReadText(dir_ / "vouchers" / name));
  }
  auto uri = server_->CreateDatabase("hv");
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  std::vector<std::multiset<int>> answers;
  std::vector<std::string> processed;
  for (const std::string& store : {P("serve.sqlite"), *uri}) {
    std::vector<std::string> argv = testing::ServeArgv(dir_, /*with_db=*/true);
    argv[3] = store;  // after "--store"
    testing::ChildProcess serve(argv, dir_ / "serve.out");
    const int port = serve.WaitForPort();
    ASSERT_GT(port, 0) << serve.Output();
    std::mutex mutex;
    std::multiset<int>& statuses = answers.emplace_back();
    testing::WarmUpHttpClient(port);
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
      clients.emplace_back([&] {
        httplib::Client client("127.0.0.1", port);
        for (const std::string& voucher : vouchers) {
          const auto answer =
              client.Post("/v1/accounts/alice/vouchers",
                          {{"Authorization", std::string("Bearer ") + testing::kServeToken}},
                          voucher, "application/octet-stream");
          std::lock_guard lock(mutex);
          statuses.insert(answer ? answer->status : -1);
        }
      });
    }
    for (auto& client : clients) client.join();
    httplib::Client client("127.0.0.1", port);
    const auto lines = client.Post(
        "/v1/process", {{"Authorization", std::string("Bearer ") + testing::kServeToken}}, "",
        "text/plain");
    ASSERT_TRUE(lines && lines->status == 200);
    processed.push_back(lines->body);
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(), 0) << serve.Output();
  }
  // Each voucher new once (201), its three repeats 200, on both.
  EXPECT_EQ(answers[1], answers[0]);
  EXPECT_EQ(answers[0].count(201), vouchers.size());
  EXPECT_EQ(answers[0].count(200), 3 * vouchers.size());
  EXPECT_EQ(processed[1], processed[0]);
  EXPECT_NE(processed[0].find("account=alice vouchers=10 candidates=4 "), std::string::npos)
      << processed[0];
}

// PostgreSQL stops under a running serve: vouchers get 503 and /healthz says why (without the
// URI); once it is back, the same serve process (its pooled connections) answers again.
TEST_F(PostgresStoreCliTest, ServeAnswers503WhilePostgresIsDownAndRecoversWithoutARestart) {
  HV_REQUIRE_PINNED_PHOTOS(pinned);
  ASSERT_GE(pinned.size(), 10u);
  const auto names = testing::MakeServeFiles(dir_, pinned);
  auto uri = server_->CreateDatabase("hv");
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  std::vector<std::string> argv = testing::ServeArgv(dir_, /*with_db=*/true);
  argv[3] = *uri;  // after "--store"
  testing::ChildProcess serve(argv, dir_ / "serve.out");
  const int port = serve.WaitForPort();
  ASSERT_GT(port, 0) << serve.Output();
  httplib::Client client("127.0.0.1", port);
  const httplib::Headers token = {{"Authorization", std::string("Bearer ") + testing::kServeToken}};
  const auto post = [&](const std::string& name) {
    const auto answer =
        client.Post("/v1/accounts/alice/vouchers", token,
                    testing::ReadText(dir_ / "vouchers" / name), "application/octet-stream");
    return answer ? answer->status : -1;
  };
  ASSERT_EQ(post(names[0]), 201);

  ASSERT_TRUE(server_->Stop().ok());
  EXPECT_EQ(post(names[1]), 503);
  const auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  EXPECT_NE(health->body.find("unreachable"), std::string::npos) << health->body;
  EXPECT_EQ(health->body.find(dir_.string()), std::string::npos) << health->body;

  ASSERT_TRUE(server_->Resume().ok());
  EXPECT_EQ(post(names[1]), 201);
  EXPECT_EQ(post(names[0]), 200);
  const auto healthy = client.Get("/healthz");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200) << healthy->body;
}

TEST_F(PostgresStoreCliTest, AStoreWhoseServerIsDownFailsClearlyWithoutTheUri) {
  auto uri = server_->CreateDatabase("hv");
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  ASSERT_TRUE(server_->Stop().ok());
  const std::string with_password = "postgresql://postgres:s3cret-pw@" + uri->substr(13);
  ASSERT_EQ(
      Run("keygen --secret " + P("server.key") + " --signing " + P("publisher.key")).exit_code, 0);
  const auto process =
      Run("server process --store '" + with_password + "' --secret " + P("server.key") +
          " --sources " + P("sources.sqlite") + " --reports " + P("reports"));
  EXPECT_EQ(process.exit_code, 1);
  EXPECT_NE(process.err.find("unreachable"), std::string::npos) << process.err;
  EXPECT_EQ(process.err.find("s3cret-pw"), std::string::npos) << process.err;
  EXPECT_EQ(process.err.find("/tmp"), std::string::npos) << process.err;
}

}  // namespace
}  // namespace hashveil
