// A DB roll-over through the real CLI and a real `hashveil serve` (docs/service.md, "DB updates"):
// `db build` publishes epoch 100, then epoch 200 from the same source store; the same account
// state scans under both; `serve --db` of the newer DB on the same share store keeps accepting
// epoch 100 during the transition, refuses an older --db, and:
// - with the same t, matches of both epochs count toward t together and the report names each
//   match's epoch;
// - with another t (the device rotates), progress made under epoch 100 does not count.
#include <httplib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "serve_fixture.h"
#include "serve_process.h"
#include "support/test_paths.h"

namespace hashveil::testing {
namespace {
namespace fs = std::filesystem;

class ServeEpochTest : public ::testing::Test {
 protected:
  // Keys, a source store of the first 4 photos, DBs of epoch 100 (t = 3), 200 (t = 3) and
  // 300 (t = 4), all without synthetics.
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("hv-serve-epoch-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    photos_ = PinnedPhotos();
    if (photos_.size() < 4) return;
    const std::string hv = HASHVEIL_BINARY;
    const std::string d = dir_.string();
    RunOk(hv + " keygen --secret " + d + "/server.key --signing " + d + "/pub.key");
    std::string members;
    for (std::size_t i = 0; i < 4; ++i) members += " '" + photos_[i].string() + "'";
    RunOk(hv + " hash" + members + " > " + d + "/members.csv");
    for (const auto& [source, jurisdiction] : {std::pair{"a", "US"}, {"b", "GB"}}) {
      RunOk(hv + " db import --store " + d + "/S.sqlite --source " + source + " --jurisdiction " +
            jurisdiction + " " + d + "/members.csv");
    }
    for (const auto& [epoch, t] : {std::pair{100, 3}, {200, 3}, {300, 4}}) {
      RunOk(hv + " db build --store " + d + "/S.sqlite --secret " + d + "/server.key --signing " +
            d + "/pub.key --out " + d + "/e" + std::to_string(epoch) + ".hvdb --epoch " +
            std::to_string(epoch) + " --threshold " + std::to_string(t) + " --synthetic-rate 0");
    }
    std::ofstream(dir_ / "token") << kServeToken << "\n";
    fs::permissions(dir_ / "token", fs::perms::owner_read | fs::perms::owner_write);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  void SetUp() override { HV_REQUIRE_PINNED_PHOTOS(photos); }

  // `account`'s voucher of member photo `member` under DB `epoch`, made by `hashveil scan`
  // with the account's one state file.
  std::string Scan(const std::string& account, std::size_t member, int epoch) {
    const std::string d = dir_.string();
    const std::string out = d + "/vouchers-" + account + "-" + std::to_string(epoch);
    RunOk(std::string(HASHVEIL_BINARY) + " scan --db " + d + "/e" + std::to_string(epoch) +
          ".hvdb --publisher " + d + "/pub.key.pub --account " + d + "/" + account +
          ".state --min-synthetic-rate 0 --out " + out + " '" + photos_[member].string() + "'");
    return ReadText(fs::path(out) / (photos_[member].filename().string() + ".voucher"));
  }

  // `serve` on the share store `store` with `--db e<epoch>.hvdb` and extra arguments.
  std::unique_ptr<ChildProcess> Serve(const std::string& store, int epoch,
                                      const std::vector<std::string>& extra = {}) {
    const std::string d = dir_.string();
    std::vector<std::string> argv = {HASHVEIL_BINARY, "serve", "--store", d + "/" + store,
                                     "--secret", d + "/server.key", "--listen", "127.0.0.1:0",
                                     "--token-file", d + "/token", "--sources", d + "/S.sqlite",
                                     "--reports", d + "/reports-" + store, "--process-interval",
                                     "3600", "--db", d + "/e" + std::to_string(epoch) + ".hvdb",
                                     "--publisher", d + "/pub.key.pub"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto serve = std::make_unique<ChildProcess>(argv, dir_ / ("serve-" + store + ".out"));
    port_ = serve->WaitForPort();
    return serve;
  }

  int Post(const std::string& account, const std::string& voucher) {
    httplib::Client client("127.0.0.1", port_);
    const auto answer = client.Post("/v1/accounts/" + account + "/vouchers",
                                    {{"Authorization", std::string("Bearer ") + kServeToken}},
                                    voucher, "application/octet-stream");
    return answer ? answer->status : -1;
  }
  std::string Process(const std::string& account) {
    httplib::Client client("127.0.0.1", port_);
    const auto answer = client.Post(
        "/v1/process", {{"Authorization", std::string("Bearer ") + kServeToken}}, "", "text/plain");
    EXPECT_TRUE(answer && answer->status == 200);
    return answer ? AccountLine(answer->body, account) : "";
  }
  std::string Health() {
    httplib::Client client("127.0.0.1", port_);
    const auto answer = client.Get("/healthz");
    return answer ? answer->body : "";
  }
  static void Stop(ChildProcess& serve) {
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(), 0);
  }

  static fs::path dir_;
  static std::vector<fs::path> photos_;
  int port_ = 0;
};
fs::path ServeEpochTest::dir_;
std::vector<fs::path> ServeEpochTest::photos_;

TEST_F(ServeEpochTest, WithTheSameThresholdMatchesOfBothEpochsCrossItTogether) {
  const std::string first_0 = Scan("alice", 0, 100), first_1 = Scan("alice", 1, 100);
  const std::string late_first = Scan("alice", 3, 100);  // made before the roll, sent after
  {
    auto serve = Serve("same.sqlite", 100);
    ASSERT_GT(port_, 0) << serve->Output();
    ASSERT_EQ(Post("alice", first_0), 201);
    ASSERT_EQ(Post("alice", first_1), 201);
    EXPECT_NE(Process("alice").find("reported=no"), std::string::npos);
    Stop(*serve);
  }
  const std::string second_2 = Scan("alice", 2, 200);
  auto serve = Serve("same.sqlite", 200);  // the default transition: 72 hours
  ASSERT_GT(port_, 0) << serve->Output();
  EXPECT_EQ(Health().rfind("ok epoch=200 threshold=3 previous=100 until=", 0), 0u) << Health();
  // 2 images under epoch 100 and 1 under 200: t = 3 distinct images in total.
  ASSERT_EQ(Post("alice", second_2), 201);
  const std::string line = Process("alice");
  EXPECT_NE(line.find("reported=yes"), std::string::npos) << line;
  EXPECT_NE(line.find("verified_entries=3 "), std::string::npos) << line;
  EXPECT_NE(line.find("epochs=100,200"), std::string::npos) << line;
  const std::string report = ReadText(dir_ / "reports-same.sqlite" / "alice.json");
  EXPECT_NE(report.find("\"epoch\": 100"), std::string::npos) << report;
  EXPECT_NE(report.find("\"epoch\": 200"), std::string::npos) << report;
  // An epoch-100 voucher made before the roll is still accepted during the transition.
  EXPECT_EQ(Post("alice", late_first), 201);
  EXPECT_NE(Process("alice").find("verified_entries=4 "), std::string::npos);
  Stop(*serve);

  // The server's rollback floor: the store serves epoch 200, so epoch 100 is refused.
  auto older = Serve("same.sqlite", 100);
  EXPECT_EQ(port_, 0);
  EXPECT_NE(older->Wait(), 0);
}

TEST_F(ServeEpochTest, AfterAThresholdChangeProgressMadeUnderTheOldOneDoesNotCount) {
  const std::string old_0 = Scan("bob", 0, 100), old_1 = Scan("bob", 1, 100);
  {
    auto serve = Serve("changed.sqlite", 100);
    ASSERT_GT(port_, 0) << serve->Output();
    ASSERT_EQ(Post("bob", old_0), 201);
    ASSERT_EQ(Post("bob", old_1), 201);
    Stop(*serve);
  }
  // Epoch 300 asks for t = 4; no transition, so epoch-100 vouchers are refused from now on.
  auto serve = Serve("changed.sqlite", 300, {"--transition-hours", "0"});
  ASSERT_GT(port_, 0) << serve->Output();
  EXPECT_EQ(Health(), "ok epoch=300 threshold=4\n");
  EXPECT_EQ(Post("bob", Scan("bob", 3, 100)), 409);
  for (const std::size_t member : {0, 2, 3}) ASSERT_EQ(Post("bob", Scan("bob", member, 300)), 201);
  // 4 distinct known images over both epochs, but only 3 made under the new polynomial: had
  // the 2 old shares counted, the account would have crossed t = 4 (and t = 3) already.
  std::string line = Process("bob");
  EXPECT_NE(line.find("reported=no"), std::string::npos) << line;
  EXPECT_NE(line.find("threshold=4 "), std::string::npos) << line;
  EXPECT_FALSE(fs::exists(dir_ / "reports-changed.sqlite" / "bob.json"));
  ASSERT_EQ(Post("bob", Scan("bob", 1, 300)), 201);
  line = Process("bob");
  EXPECT_NE(line.find("reported=yes"), std::string::npos) << line;
  EXPECT_NE(line.find("epochs=300"), std::string::npos) << line;
  const std::string report = ReadText(dir_ / "reports-changed.sqlite" / "bob.json");
  EXPECT_EQ(report.find("\"epoch\": 100"), std::string::npos) << report;
  Stop(*serve);
}

}  // namespace
}  // namespace hashveil::testing
