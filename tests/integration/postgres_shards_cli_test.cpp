// `hashveil server shards` (issue 13), through the real binary against a throwaway server: the
// map of a new store is every bucket on the directory; --assign puts ranges on two shard
// databases and the listing shows them, with each shard's accounts; vouchers ingested through
// the sharded store land on every shard and `server process` reports each account; a URI with
// a password and a move of buckets that hold accounts are refused, the password never printed.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "postgres_cli_fixture.h"
#include "serve_fixture.h"
#include "support/cli_runner.h"
#include "support/postgres_server.h"
#include "support/test_paths.h"

namespace hashveil {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kAccounts = {"alice", "bob", "carol", "dave", "erin", "frank"};

class PostgresShardsCliTest : public testing::PostgresCliTest {
 protected:
  PostgresShardsCliTest() : PostgresCliTest("hv-pg-shards") {}
  void SetUp() override {
    PostgresCliTest::SetUp();
    for (const char* name : {"hv", "s1", "s2"}) {
      if (HasFailure()) return;
      uris_.push_back(CreateDatabase(name));
    }
  }

  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  testing::CliRun Shards(const std::string& args) const {
    return testing::RunCli(HASHVEIL_BINARY, "server shards --store '" + uris_[0] + "' " + args,
                           dir_ / "stderr");
  }

  std::vector<std::string> uris_;  // the directory, then the shards
};

TEST_F(PostgresShardsCliTest, AssignsRangesListsThemAndRefusesWhatItCannotDo) {
  HV_REQUIRE_PINNED_PHOTOS(pinned);
  ASSERT_GE(pinned.size(), 10u);
  const auto fresh = Shards("");
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_EQ(fresh.out, "buckets 0-1023 shard 0\nshard 0 accounts=0\n");

  ASSERT_EQ(Shards("--assign '341-681=" + uris_[1] + "'").exit_code, 0);
  const auto assigned = Shards("--assign '682-1023=" + uris_[2] + "' --show-uris");
  ASSERT_EQ(assigned.exit_code, 0) << assigned.err;
  EXPECT_EQ(assigned.out,
            "buckets 0-340 shard 0\nbuckets 341-681 shard 1\n"
            "buckets 682-1023 shard 2\nshard 0 accounts=0 uri=directory\n"
            "shard 1 accounts=0 uri=" +
                uris_[1] + "\nshard 2 accounts=0 uri=" + uris_[2] + "\n");

  // Each account sends the vouchers of the 4 member photos through the sharded store.
  testing::MakeServeFiles(dir_, pinned);
  std::string members;
  for (std::size_t i = 0; i < 4; ++i) members += " '" + pinned[i].string() + "'";
  for (const std::string& account : kAccounts) {
    testing::RunOk(std::string(HASHVEIL_BINARY) + " scan --db " + P("client.hvdb") +
                   " --publisher " + P("pub.key.pub") + " --account " + P(account + ".state") +
                   " --min-synthetic-rate 0 --out " + P("vouchers-" + account) + members);
    std::string files;
    for (std::size_t i = 0; i < 4; ++i) {
      files += " " + P("vouchers-" + account + "/" + pinned[i].filename().string() + ".voucher");
    }
    const auto ingest = testing::RunCli(
        HASHVEIL_BINARY,
        "server ingest --store '" + uris_[0] + "' --secret " + P("server.key") + " --db " +
            P("client.hvdb") + " --publisher " + P("pub.key.pub") + " --account " + account + files,
        dir_ / "stderr");
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  }
  // Every account on exactly one shard (which one follows the store's random key).
  const auto listed = Shards("");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const std::regex count_line("shard ([0-2]) accounts=([0-9]+)");
  std::uint64_t total = 0;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_match(line, match, count_line)) total += std::stoull(match[2]);
  }
  EXPECT_EQ(total, kAccounts.size()) << listed.out;
  const auto processed =
      testing::RunCli(HASHVEIL_BINARY,
                      "server process --store '" + uris_[0] + "' --secret " + P("server.key") +
                          " --sources " + P("S.sqlite") + " --reports " + P("reports"),
                      dir_ / "stderr");
  ASSERT_EQ(processed.exit_code, 0) << processed.err;
  for (const std::string& account : kAccounts) {
    EXPECT_NE(processed.out.find("account=" + account + " "), std::string::npos) << processed.out;
    EXPECT_TRUE(fs::exists(P("reports/" + account + ".json"))) << account;
  }

  // Refused, and the map left as it was: a password in the URI (exit 2, never printed), a move
  // of buckets holding accounts (exit 1), a malformed assignment (exit 2).
  const auto password = Shards("--assign '0-10=postgresql://hv:s3cret-pw@/s1?host=/tmp'");
  EXPECT_EQ(password.exit_code, 2);
  EXPECT_NE(password.err.find("password"), std::string::npos) << password.err;
  EXPECT_EQ((password.out + password.err).find("s3cret-pw"), std::string::npos) << password.err;
  const auto move = Shards("--assign '0-1023=" + uris_[1] + "'");
  EXPECT_EQ(move.exit_code, 1);
  EXPECT_NE(move.err.find("not built"), std::string::npos) << move.err;
  EXPECT_EQ(move.err.find(uris_[1]), std::string::npos) << move.err;
  EXPECT_EQ(Shards("--assign 10-5").exit_code, 2);
  const auto after = Shards("");
  EXPECT_EQ(after.out, listed.out);
}

}  // namespace
}  // namespace hashveil
