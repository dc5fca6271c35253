// Vouchers end to end through the real `hashveil` binary on real photos (docs/design.md sections 5
// and 9): a DB from some photos (hashed, imported as two sources in two jurisdictions, built
// with t = 3); an account that sends t-1 transformed copies plus unrelated photos gets no report,
// one more distinct match and the report lists exactly the matching images, all verified; an
// unrelated account gets nothing.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/base_key.h"
#include "support/cli_runner.h"
#include "support/test_paths.h"

namespace hashveil {
namespace {

namespace fs = std::filesystem;
using testing::KeysOfCopy;

class VoucherCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hv_voucher_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  testing::CliRun Run(const std::string& args) const {
    return testing::RunCli(HASHVEIL_BINARY, args, dir_ / "stderr");
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  // A transformed copy made with ImageMagick (installed by scripts/setup).
  std::string Transformed(const fs::path& photo, const std::string& name,
                          const std::string& operation) const {
    const std::string out = P(name);
    const std::string command = "convert " + photo.string() + " " + operation + " " + out;
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return out;
  }

  // `server ingest` of every voucher in `vouchers_dir` for `account`, then `server process`;
  // returns the summary line of `account`.
  std::string IngestAndProcess(const std::string& account, const std::string& vouchers_dir) {
    std::string files;
    for (const auto& entry : fs::directory_iterator(P(vouchers_dir))) files += " " + entry.path().string();
    const auto ingest = Run("server ingest --store " + P("server.sqlite") + " --secret " +
                            P("server.key") + " --db " + P("client.hvdb") + " --publisher " +
                            P("publisher.key.pub") + " --account " + account + files);
    EXPECT_EQ(ingest.exit_code, 0) << ingest.err;
    const auto process = Run("server process --store " + P("server.sqlite") + " --secret " +
                             P("server.key") + " --sources " + P("sources.sqlite") +
                             " --reports " + P("reports"));
    EXPECT_EQ(process.exit_code, 0) << process.err;
    std::istringstream lines(process.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("account=" + account + " ", 0) == 0) return line;
    }
    ADD_FAILURE() << "no summary line for " << account << " in: " << process.out;
    return {};
  }

  void Scan(const std::string& account, const std::string& out,
            const std::vector<std::string>& images) {
    std::string args = "scan --db " + P("client.hvdb") + " --publisher " + P("publisher.key.pub") +
                       " --account " + P(account + ".state") + " --min-synthetic-rate 0 --out " +
                       P(out);
    for (const auto& image : images) args += " " + image;
    const auto scan = Run(args);
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
  }

  fs::path dir_;
};

TEST_F(VoucherCliTest, AnAccountIsReportedExactlyWhenItCrossesTheThreshold) {
  HV_REQUIRE_PINNED_PHOTOS(pinned);
  ASSERT_GE(pinned.size(), 11u);
  // Member 0 is sent as two re-encodes that must count as one image. Both reach the photo's DB
  // key (one of their probes is its base key), and at least one has another base key of its
  // own: under protocol 1 (a share from the copy's base key) they would count as two images and
  // this test would fail; under protocol 2 (a share from the DB key) they count once. So member
  // 0 is the first pinned photo whose copies do that, checked here.
  std::vector<fs::path> photos = pinned;
  const auto copies_reach_with_another_base_key = [&](const fs::path& photo) {
    const auto hashed = Run("hash " + photo.string());
    if (hashed.exit_code != 0) return false;
    const std::string hex = hashed.out.substr(0, 64);
    const auto q70 = KeysOfCopy(hex, Transformed(photo, "m0_q70.jpg", "-quality 70"));
    const auto q60 = KeysOfCopy(hex, Transformed(photo, "m0_q60.jpg", "-quality 60"));
    return q70.reaches && q60.reaches && !(q70.same_base_key && q60.same_base_key);
  };
  const auto first = std::find_if(photos.begin(), photos.end(), copies_reach_with_another_base_key);
  ASSERT_NE(first, photos.end());
  std::rotate(photos.begin(), first, first + 1);  // to the front, the others in manifest order
  const std::vector<fs::path> members(photos.begin(), photos.begin() + 4);
  const std::vector<fs::path> unrelated(photos.begin() + 6, photos.begin() + 10);

  // The DB: the members' hashes as two sources in two jurisdictions, t = 3, no synthetics (so
  // the test is deterministic; synthetics have their own unit tests).
  std::string hash_args = "hash";
  for (const auto& member : members) hash_args += " " + member.string();
  const auto hashed = Run(hash_args);
  ASSERT_EQ(hashed.exit_code, 0) << hashed.err;
  {
    std::ofstream list(P("list.txt"));
    std::istringstream lines(hashed.out);
    for (std::string line; std::getline(lines, line);) list << line.substr(0, 64) << "\n";
  }
  for (const auto& [source, country] : {std::pair{"src-a", "US"}, std::pair{"src-b", "DE"}}) {
    const auto imported = Run("db import --store " + P("sources.sqlite") + " --source " + source +
                              " --jurisdiction " + country + " " + P("list.txt"));
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }
  ASSERT_EQ(Run("keygen --secret " + P("server.key") + " --signing " + P("publisher.key")).exit_code, 0);
  const auto built = Run("db build --store " + P("sources.sqlite") + " --secret " + P("server.key") +
                         " --signing " + P("publisher.key") + " --out " + P("client.hvdb") +
                         " --threshold 3 --synthetic-rate 0");
  ASSERT_EQ(built.exit_code, 0) << built.err;

  // t-1 = 2 transformed member copies plus unrelated photos: no report.
  const std::string copy0 = Transformed(members[0], "m0_q70.jpg", "-quality 70");
  const std::string copy1 = Transformed(members[1], "m1_small.jpg", "-resize 75%");
  Scan("alice", "alice1", {copy0, copy1, unrelated[0].string(), unrelated[1].string()});
  const std::string below = IngestAndProcess("alice", "alice1");
  EXPECT_NE(below.find("candidates=2 "), std::string::npos) << below;
  EXPECT_NE(below.find("threshold=3 reported=no"), std::string::npos) << below;
  EXPECT_FALSE(fs::exists(P("reports/alice.json")));

  // One more distinct match (and a repeat of the first): reported, exactly the matches, verified.
  const std::string copy2 = Transformed(members[2], "m2_small_q80.jpg", "-resize 80% -quality 80");
  const std::string copy0_again = Transformed(members[0], "m0_q60.jpg", "-quality 60");
  Scan("alice", "alice2", {copy2, copy0_again, unrelated[2].string()});
  const std::string at = IngestAndProcess("alice", "alice2");
  EXPECT_NE(at.find("reported=yes"), std::string::npos) << at;
  EXPECT_NE(at.find("distinct_images=3 "), std::string::npos) << at;
  const auto report = nlohmann::json::parse(testing::ReadTextFile(P("reports/alice.json")));
  EXPECT_EQ(report["real_images"], 3);
  ASSERT_EQ(report["matches"].size(), 4u);  // m0 twice (two vouchers), m1, m2
  // Three DB entries; m0's two re-encodes under one of them.
  ASSERT_EQ(report["entries"].size(), 3u);
  std::multiset<std::size_t> vouchers_per_entry;
  for (const auto& entry : report["entries"])
    vouchers_per_entry.insert(entry["voucher_ids"].size());
  EXPECT_EQ(vouchers_per_entry, (std::multiset<std::size_t>{1, 1, 2}));
  for (const auto& match : report["matches"]) {
    EXPECT_TRUE(match["verified"].get<bool>()) << match.dump();
    EXPECT_LE(match["distance"].get<int>(), 31);
    EXPECT_EQ(match["sources"], nlohmann::json({"src-a", "src-b"}));
    EXPECT_TRUE(fs::exists(P("reports/" + match["derivative_png"].get<std::string>())));
  }

  // An account sending only unrelated photos: nothing.
  Scan("bob", "bob", {unrelated[0].string(), unrelated[1].string(), unrelated[2].string(),
                      unrelated[3].string()});
  const std::string bob = IngestAndProcess("bob", "bob");
  EXPECT_NE(bob.find("candidates=0 "), std::string::npos) << bob;
  EXPECT_NE(bob.find("reported=no"), std::string::npos) << bob;
  EXPECT_FALSE(fs::exists(P("reports/bob.json")));

  // A truncated voucher is refused with its reason and counted; the rest of the call still runs.
  const fs::path good = fs::directory_iterator(P("bob"))->path();
  {
    const std::string bytes = testing::ReadTextFile(good);
    std::ofstream(P("truncated.voucher"), std::ios::binary) << bytes.substr(0, bytes.size() - 1);
  }
  const auto refused = Run("server ingest --store " + P("server.sqlite") + " --secret " +
                           P("server.key") + " --account bob " + P("truncated.voucher") + " " +
                           good.string());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("voucher 1: refused"), std::string::npos) << refused.err;
  EXPECT_NE(refused.out.find("duplicates=1"), std::string::npos) << refused.out;

  // Ingesting the same vouchers again changes nothing.
  const std::string again = IngestAndProcess("alice", "alice2");
  EXPECT_NE(again.find("vouchers=7 "), std::string::npos) << again;
}

}  // namespace
}  // namespace hashveil
