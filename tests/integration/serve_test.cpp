// `hashveil serve` as a real process on loopback: the write endpoint's refusals and answers,
// metrics, on-demand threshold processing with a report once the account crosses t, a clean stop
// on SIGTERM, and kill -9 / restart cycles that lose nothing accepted and count nothing twice.
#include <httplib.h>

#include <filesystem>
#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hashveil/matcher/pdq_hash.h"
#include "serve_fixture.h"
#include "serve_process.h"
#include "support/test_paths.h"

namespace hashveil::testing {
namespace {
namespace fs = std::filesystem;

constexpr const char* kToken = kServeToken;

class ServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("hv-serve-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const auto photos = PinnedPhotos();
    if (photos.size() < 10) return;
    voucher_names_ = MakeServeFiles(dir_, photos);
    members_to_cross_ = MembersToReachThreeEntries(ReadText(dir_ / "members.csv"));
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  void SetUp() override {
    HV_REQUIRE_PINNED_PHOTOS(photos);
    fs::remove_all(dir_ / "store");
    fs::remove_all(dir_ / "reports");
    fs::create_directories(dir_ / "store");
    // In the photos' order: the 4 members first, then the 6 others.
    for (const std::string& name : voucher_names_) vouchers_.push_back(ReadText(dir_ / "vouchers" / name));
    ASSERT_EQ(vouchers_.size(), 10u);
  }

  // How many members, sent in order, make 3 distinct DB entries: the policy merges members within
  // PDQ distance 31 into one entry, and one entry is one image to the threshold.
  static std::size_t MembersToReachThreeEntries(const std::string& members_csv) {
    using matcher::PdqHash;
    std::vector<PdqHash> entries;
    std::istringstream lines(members_csv);
    std::size_t sent = 0;
    for (std::string line; std::getline(lines, line) && entries.size() < 3;) {
      const auto hash = PdqHash::FromHex(line.substr(0, 64));
      if (!hash.ok()) continue;
      ++sent;
      const bool merged = std::any_of(entries.begin(), entries.end(), [&](const PdqHash& entry) {
        return matcher::HammingDistance(entry, *hash) <= matcher::kPdqMatchDistance;
      });
      if (!merged) entries.push_back(*hash);
    }
    return entries.size() == 3 ? sent : 0;
  }

  std::unique_ptr<ChildProcess> StartServe(bool with_db = true, bool expect_listening = true) {
    const std::vector<std::string> argv = ServeArgv(dir_, with_db);
    auto serve = std::make_unique<ChildProcess>(argv, dir_ / ("serve" + std::to_string(++starts_) + ".out"));
    port_ = serve->WaitForPort();
    EXPECT_EQ(port_ > 0, expect_listening) << serve->Output();
    return serve;
  }

  int Post(const std::string& account, const std::string& body, const std::string& token = kToken) {
    httplib::Client client("127.0.0.1", port_);
    const auto answer = client.Post("/v1/accounts/" + account + "/vouchers",
                                    {{"Authorization", "Bearer " + token}}, body,
                                    "application/octet-stream");
    return answer ? answer->status : -1;
  }
  std::string Process() {
    httplib::Client client("127.0.0.1", port_);
    const auto answer =
        client.Post("/v1/process", {{"Authorization", std::string("Bearer ") + kToken}}, "", "text/plain");
    EXPECT_TRUE(answer && answer->status == 200);
    return answer ? answer->body : "";
  }
  std::string Metrics() {
    httplib::Client client("127.0.0.1", port_);
    const auto answer = client.Get("/metrics", {{"Authorization", std::string("Bearer ") + kToken}});
    EXPECT_TRUE(answer && answer->status == 200);
    return answer ? answer->body : "";
  }
  // The whole answer to a voucher: status and body.
  std::string Answer(const std::string& account, const std::string& body) {
    httplib::Client client("127.0.0.1", port_);
    const auto answer = client.Post("/v1/accounts/" + account + "/vouchers",
                                    {{"Authorization", std::string("Bearer ") + kToken}}, body,
                                    "application/octet-stream");
    return answer ? std::to_string(answer->status) + " " + answer->body : "none";
  }

  static fs::path dir_;
  static std::vector<std::string> voucher_names_;
  static std::size_t members_to_cross_;
  std::vector<std::string> vouchers_;
  int port_ = 0;
  int starts_ = 0;
};
fs::path ServeTest::dir_;
std::vector<std::string> ServeTest::voucher_names_;
std::size_t ServeTest::members_to_cross_ = 0;

TEST_F(ServeTest, RefusesWhatItMustAndAcceptsOnlyCommittedVouchers) {
  auto serve = StartServe();
  httplib::Client client("127.0.0.1", port_);
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  EXPECT_EQ(client.Get("/v1/accounts/alice/vouchers")->status, 404);
  EXPECT_EQ(client.Get("/../../etc/passwd")->status, 404);
  EXPECT_EQ(Post("alice", vouchers_[0], "wrong-token-0123456789abcdef"), 401);
  EXPECT_EQ(Post("alice", vouchers_[0], ""), 401);
  EXPECT_EQ(Post(".hidden", vouchers_[0]), 400);
  const int slash = Post("a%2Fb", vouchers_[0]);  // decoded to a/b: no such route
  EXPECT_TRUE(slash == 400 || slash == 404) << slash;
  EXPECT_EQ(Post("alice", vouchers_[0] + "x"), 413);
  EXPECT_EQ(Post("alice", vouchers_[0].substr(1)), 400);
  std::string flipped = vouchers_[0];
  flipped[0] ^= 0x7f;  // the version byte
  EXPECT_EQ(Post("alice", flipped), 400);
  EXPECT_EQ(Post("alice", vouchers_[0]), 201);
  EXPECT_EQ(Post("alice", vouchers_[0]), 200);  // a retry is acknowledged, counted once
  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find("hashveil_vouchers_accepted_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("hashveil_vouchers_duplicate_total 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("hashveil_vouchers_refused_total{reason=\"unauthorized\"} 2\n"), std::string::npos);
  EXPECT_NE(metrics.find("hashveil_vouchers_refused_total{reason=\"too_large\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("hashveil_vouchers_refused_total{reason=\"bad_account\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("hashveil_request_duration_seconds_count"), std::string::npos);
  // Prometheus conventions: build and served-DB info gauges, the standard process metrics.
  EXPECT_NE(metrics.find("hashveil_build_info{version=\""), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("hashveil_served_db_info{epoch=\""), std::string::npos) << metrics;
  for (const char* name : {"process_start_time_seconds ", "process_cpu_seconds_total ",
                           "process_resident_memory_bytes "}) {
    EXPECT_NE(metrics.find(std::string("\n") + name), std::string::npos) << name;
  }
  const auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->body.rfind("ok epoch=", 0), 0u) << health->body;
  EXPECT_EQ(client.Get("/healthz")->status, 200);  // still up after all that
  // The counters are the operator's: no token, no metrics.
  EXPECT_EQ(client.Get("/metrics")->status, 401);
  serve->Signal(SIGTERM);
  const int status = serve->Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(serve->Output().find("stopped"), std::string::npos);
}

// The membership oracle of the security review (issue 15, item 1): a client that damages the
// middle layer of its own voucher must not learn from the answer whether an outer entry opened.
// A member's voucher (an entry opens, then the middle layer fails), a non-member's (nothing
// opens) and an intact one get the same status and body, and no counter tells them apart.
TEST_F(ServeTest, EveryVoucherThatPassesThePublicChecksGetsTheSameAnswer) {
  auto serve = StartServe();
  std::string member = vouchers_[0];
  std::string non_member = vouchers_[5];
  member[member.size() - 20] ^= 0x01;
  non_member[non_member.size() - 20] ^= 0x01;
  const std::string member_answer = Answer("alice", member);
  EXPECT_EQ(member_answer, "201 accepted\n");
  EXPECT_EQ(Answer("alice", non_member), member_answer);
  EXPECT_EQ(Answer("alice", vouchers_[1]), member_answer);
  const std::string after = Metrics();
  EXPECT_EQ(after.find("candidate"), std::string::npos) << after;
  EXPECT_EQ(after.find("inconsistent"), std::string::npos) << after;
  EXPECT_NE(after.find("hashveil_vouchers_accepted_total 3\n"), std::string::npos) << after;
  EXPECT_NE(after.find("hashveil_vouchers_refused_total{reason=\"malformed\"} 0\n"),
            std::string::npos)
      << after;
  // The server's own records know which was which.
  const std::string line = Process();
  EXPECT_NE(line.find("vouchers=3 candidates=1 "), std::string::npos) << line;
  EXPECT_NE(line.find("inconsistent=1"), std::string::npos) << line;
  serve->Signal(SIGTERM);
  serve->Wait();
}

TEST_F(ServeTest, ReportsOnlyOnceTheAccountCrossesTheThreshold) {
  // The pinned photos are pairwise farther apart than PDQ distance 31, so the 4 members are 4 DB
  // entries and the third crosses t = 3. The test counts entries itself (the policy would merge
  // near-duplicates), as the server's candidate count cannot say which are real.
  ASSERT_EQ(members_to_cross_, 3u);
  auto serve = StartServe();
  for (std::size_t sent = 1; sent <= vouchers_.size(); ++sent) {
    ASSERT_EQ(Post("alice", vouchers_[sent - 1]), 201);
    const std::string line = AccountLine(Process(), "alice");
    const bool crossed = sent >= members_to_cross_;
    EXPECT_EQ(line.find("reported=yes") != std::string::npos, crossed) << sent << ": " << line;
    EXPECT_EQ(fs::exists(dir_ / "reports" / "alice.json"), crossed) << sent;
  }
  // Each member's voucher (an exact copy) is verified; the 6 others are no DB images.
  EXPECT_NE(AccountLine(Process(), "alice").find("verified=4 "), std::string::npos);
  // Rewritten when later vouchers change the account's counts, so at least once.
  EXPECT_EQ(Metrics().find("hashveil_reports_total 0\n"), std::string::npos) << Metrics();
}

TEST_F(ServeTest, KillNineAndRestartLoseNothingAcceptedAndCountNothingTwice) {
  std::map<std::string, int> accepted;
  std::size_t next = 0;
  for (int cycle = 0; cycle < 5; ++cycle) {
    auto serve = StartServe(cycle == 0);  // later starts: the store remembers the DB
    for (int i = 0; i < 4; ++i, ++next) {
      const std::string account = "acct" + std::to_string(next % 3);
      const int status = Post(account, vouchers_[next % vouchers_.size()]);
      ASSERT_TRUE(status == 201 || status == 200) << status;
      accepted[account + "/" + std::to_string(next % vouchers_.size())] = status;
    }
    serve->Signal(SIGKILL);
    serve->Wait();
  }
  auto serve = StartServe(false);
  const std::string lines = Process();
  std::map<std::string, int> per_account;
  for (const auto& [key, status] : accepted) ++per_account[key.substr(0, key.find('/'))];
  for (const auto& [account, count] : per_account) {
    EXPECT_NE(AccountLine(lines, account).find("vouchers=" + std::to_string(count) + " "),
              std::string::npos)
        << lines;
  }
}

TEST_F(ServeTest, RefusesToStartWithoutAKnownDbOrWithAShortToken) {
  auto serve = StartServe(false, false);
  EXPECT_NE(serve->Wait(), 0);
  std::ofstream(dir_ / "short-token") << "short\n";
  const std::string hv = HASHVEIL_BINARY;
  const std::string d = dir_.string();
  EXPECT_NE(std::system((hv + " serve --store " + d + "/store/s2.sqlite --secret " + d +
                         "/server.key --token-file " + d + "/short-token 2>/dev/null").c_str()),
            0);
}

}  // namespace
}  // namespace hashveil::testing
