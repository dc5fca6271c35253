// The example messenger end to end on loopback, as real processes: `hashveil serve`, the relay and
// the client. alice sends bob 40 real photos in three batches, some of them exact or re-encoded
// copies of DB images; bob's decrypted files are byte-identical to what she sent; her account is
// reported only after the batch that brings the third distinct DB image, with verified matches
// only; bob and carol (who sends bob unrelated photos) are never reported.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "serve_process.h"
#include "support/base_key.h"
#include "support/test_paths.h"

namespace hashveil::testing {
namespace {
namespace fs = std::filesystem;

constexpr int kThreshold = 3;
constexpr std::size_t kDbImages = 6;
constexpr int kReencodeQuality = 85;  // a forward through another app: re-encoded, not resized
constexpr const char* kToken = "messenger-test-token-0123456789";

// A photo's PDQ quality from `hashveil hash` output lines ("hex,quality,path").
struct Hashed {
  std::string hex;
  int quality = 0;
};

// `hashveil hash` output (hash,quality,path lines) by path.
std::map<std::string, Hashed> HashesByPath(const std::string& csv) {
  std::map<std::string, Hashed> hashes;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find(',');
    const auto second = line.find(',', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    hashes[line.substr(second + 1)] = {line.substr(0, first),
                                       std::stoi(line.substr(first + 1, second - first - 1))};
  }
  return hashes;
}

class MessengerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hv-messenger-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "outbox");
  }
  void TearDown() override {
    for (auto& process : processes_) process.reset();  // SIGKILL whatever a failure left running
    fs::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // Keys, two sources of the same 6 photos and the client DB at t=3, as scripts/demo builds them.
  void BuildDb(const std::vector<fs::path>& db_images) {
    const std::string hv = HASHVEIL_BINARY;
    std::string images;
    for (const auto& image : db_images) images += " '" + image.string() + "'";
    RunOk(hv + " keygen --secret " + Path("server.key") + " --signing " + Path("publisher.key"));
    RunOk(hv + " hash" + images + " > " + Path("list.csv"));
    for (const char* source : {"hotline-us --jurisdiction US", "hotline-gb --jurisdiction GB"}) {
      RunOk(hv + " db import --store " + Path("sources.sqlite") + " --source " + source + " " +
            Path("list.csv"));
    }
    // No synthetics: a DB image drawn synthetic (p_syn per image) would not count, and the test
    // asserts exact real counts; synthetics have their own unit and property tests.
    RunOk(hv + " db build --store " + Path("sources.sqlite") + " --secret " + Path("server.key") +
          " --signing " + Path("publisher.key") + " --out " + Path("client.hvdb") +
          " --threshold " + std::to_string(kThreshold) + " --synthetic-rate 0");
  }

  // Starts the voucher service and the relay; false (with a failed expectation) if either did not.
  bool StartServers() {
    std::ofstream(dir_ / "token") << kToken << "\n";
    fs::permissions(dir_ / "token", fs::perms::owner_read | fs::perms::owner_write);
    processes_.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{HASHVEIL_BINARY, "serve", "--store", Path("server.sqlite"), "--secret",
                                 Path("server.key"), "--listen", "127.0.0.1:0", "--token-file",
                                 Path("token"), "--db", Path("client.hvdb"), "--publisher",
                                 Path("publisher.key.pub"), "--sources", Path("sources.sqlite"),
                                 "--reports", Path("reports"), "--process-interval", "3600"},
        dir_ / "serve.out"));
    service_port_ = processes_.back()->WaitForPort();
    EXPECT_GT(service_port_, 0) << processes_.back()->Output();
    if (service_port_ == 0) return false;
    processes_.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{HASHVEIL_MESSENGER_RELAY, "--data", Path("relay"), "--service-port",
                                 std::to_string(service_port_), "--service-token-file", Path("token")},
        dir_ / "relay.out"));
    relay_port_ = processes_.back()->WaitForPort();
    EXPECT_GT(relay_port_, 0) << processes_.back()->Output();
    return relay_port_ > 0;
  }

  std::string Messenger(const std::string& args) {
    return RunOk(std::string(HASHVEIL_MESSENGER) + " --relay-port " + std::to_string(relay_port_) +
                 " --home " + Path("devices") + " " + args);
  }

  // Copies each image into the outbox under a name of its own, so bob's inbox can be compared
  // file by file, and sends them as `user` to `to`.
  void Send(const std::string& user, const std::string& to,
            const std::vector<std::pair<std::string, fs::path>>& named_images) {
    std::string args;
    for (const auto& [name, image] : named_images) {
      fs::copy_file(image, dir_ / "outbox" / name);
      args += " " + Path("outbox/" + name);
      ++sent_;
    }
    // The DB has p_syn = 0 (below the client's default floor: see the DB's build above).
    const std::string out = Messenger("send --user " + user + " --to " + to + " --db " +
                                      Path("client.hvdb") + " --publisher " +
                                      Path("publisher.key.pub") + " --min-synthetic-rate 0" + args);
    EXPECT_NE(out.find("failed=0"), std::string::npos) << out;
  }

  // A JPEG re-encoding of `image` at kReencodeQuality, same size, written into the work dir.
  fs::path Reencoded(const fs::path& image) {
    const fs::path out = dir_ / ("reencoded-" + image.filename().string());
    const cv::Mat pixels = cv::imread(image.string(), cv::IMREAD_COLOR);
    EXPECT_FALSE(pixels.empty());
    EXPECT_TRUE(cv::imwrite(out.string(), pixels, {cv::IMWRITE_JPEG_QUALITY, kReencodeQuality}));
    return out;
  }

  // Runs threshold processing now; the service's summary line for `account`, or "".
  std::string ProcessAndSummarize(const std::string& account) {
    return AccountLine(RunOk("curl -sf -X POST -H 'Authorization: Bearer " + std::string(kToken) +
                             "' -d '' http://127.0.0.1:" + std::to_string(service_port_) +
                             "/v1/process"),
                       account);
  }

  void StopAll() {
    for (auto it = processes_.rbegin(); it != processes_.rend(); ++it) {  // relay before service
      (*it)->Signal(SIGTERM);
      const int status = (*it)->Wait();
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << (*it)->Output();
    }
  }

  fs::path dir_;
  std::vector<std::unique_ptr<ChildProcess>> processes_;
  int service_port_ = 0;
  int relay_port_ = 0;
  int sent_ = 0;
};

TEST_F(MessengerTest, AliceIsReportedOnlyOnceHerForwardsCrossTheThreshold) {
  HV_REQUIRE_PINNED_PHOTOS(photos);
  // DB images: the first pinned photos that pass the DB policy's quality bar (a low-quality photo
  // is left out of the DB by policy, so it could never count towards the threshold) and whose
  // re-encoded copy reaches the photo's DB key (one of its probes is the photo's base key), so
  // every copy alice sends opens. alice sends DB images exact and re-encoded; they count as one
  // image (protocol 2: the share comes from the DB key). Some re-encodes have another base key of
  // their own: under protocol 1 those counted twice and alice was reported a batch early.
  const std::string hv = HASHVEIL_BINARY;
  std::string all;
  for (const auto& photo : photos) all += " '" + photo.string() + "'";
  const auto hashes = HashesByPath(RunOk(hv + " hash" + all));
  std::vector<fs::path> db_images, unrelated;
  std::vector<fs::path> with_another_base_key;  // their re-encode's own base key differs
  for (const auto& photo : photos) {
    const auto hashed = hashes.find(photo.string());
    bool usable =
        db_images.size() < kDbImages && hashed != hashes.end() && hashed->second.quality >= 50;
    if (usable) {
      const CopyKeys copy = KeysOfCopy(hashed->second.hex, Reencoded(photo));
      usable = copy.reaches;
      if (usable && !copy.same_base_key) with_another_base_key.push_back(photo);
    }
    (usable ? db_images : unrelated).push_back(photo);
  }
  ASSERT_EQ(db_images.size(), kDbImages);
  // DB image 0 is one of them: batch 1 sends it exact and re-encoded and must stay below t.
  ASSERT_FALSE(with_another_base_key.empty());
  std::iter_swap(db_images.begin(),
                 std::find(db_images.begin(), db_images.end(), with_another_base_key.front()));
  ASSERT_GE(unrelated.size(), 23u) << "needs 29 pinned photos (tests/photos.tsv)";

  BuildDb(db_images);
  ASSERT_TRUE(StartServers());
  for (const char* user : {"alice", "bob", "carol"}) Messenger(std::string("register --user ") + user);

  std::size_t next_unrelated = 0;
  const auto take_unrelated = [&](std::size_t count, const std::string& prefix,
                                  std::vector<std::pair<std::string, fs::path>>& batch) {
    for (std::size_t i = 0; i < count; ++i, ++next_unrelated) {
      const fs::path& photo = unrelated[next_unrelated % unrelated.size()];
      batch.emplace_back(prefix + "-" + std::to_string(i) + "-" + photo.filename().string(), photo);
    }
  };
  std::vector<fs::path> reencoded;
  for (const auto& image : db_images) reencoded.push_back(Reencoded(image));
  int db_copies = 0;
  const auto db_copy = [&](const std::string& name, const fs::path& image) {
    ++db_copies;
    return std::pair<std::string, fs::path>(name, image);
  };

  // Batch 1: holiday photos plus DB images 0 (exact and re-encoded) and 1 (re-encoded).
  std::vector<std::pair<std::string, fs::path>> batch = {db_copy("b1-db0-exact.jpg", db_images[0]),
                                                         db_copy("b1-db0-reencoded.jpg", reencoded[0]),
                                                         db_copy("b1-db1-reencoded.jpg", reencoded[1])};
  take_unrelated(11, "b1", batch);
  Send("alice", "bob", batch);
  std::string summary = ProcessAndSummarize("alice");
  EXPECT_NE(summary.find("reported=no "), std::string::npos) << summary;
  EXPECT_FALSE(fs::exists(dir_ / "reports" / "alice.json"));

  // Batch 2: DB image 1 again (exact): still 2 distinct DB images, still below t.
  batch = {db_copy("b2-db1-exact.jpg", db_images[1])};
  take_unrelated(5, "b2", batch);
  Send("alice", "bob", batch);
  summary = ProcessAndSummarize("alice");
  EXPECT_NE(summary.find("reported=no "), std::string::npos) << summary;
  EXPECT_FALSE(fs::exists(dir_ / "reports" / "alice.json"));

  // Batch 3: DB images 2..5, exact and re-encoded, among more photos: alice crosses t.
  batch.clear();
  for (std::size_t i = 2; i < kDbImages; ++i) {
    batch.push_back(db_copy("b3-db" + std::to_string(i) + "-exact.jpg", db_images[i]));
    batch.push_back(db_copy("b3-db" + std::to_string(i) + "-reencoded.jpg", reencoded[i]));
  }
  take_unrelated(12, "b3", batch);  // past the end of the list: photos sent a second time
  Send("alice", "bob", batch);
  ASSERT_EQ(sent_, 40);
  summary = ProcessAndSummarize("alice");
  EXPECT_NE(summary.find("reported=yes "), std::string::npos) << summary;
  ASSERT_TRUE(fs::exists(dir_ / "reports" / "alice.json")) << summary;
  const auto report = nlohmann::json::parse(ReadText(dir_ / "reports" / "alice.json"));
  EXPECT_EQ(report["real_images"], kDbImages);
  EXPECT_EQ(report["verified"], db_copies);
  ASSERT_EQ(report["matches"].size(), static_cast<std::size_t>(db_copies));
  for (const auto& match : report["matches"]) {
    EXPECT_TRUE(match["verified"].get<bool>()) << match["distance"];
    EXPECT_LE(match["distance"].get<int>(), 31);
  }

  // carol sends bob a few unrelated photos; bob receives all 43 messages.
  batch.clear();
  take_unrelated(3, "carol", batch);
  Send("carol", "bob", batch);
  EXPECT_NE(Messenger("receive --user bob --out " + Path("inbox-bob")).find("received=43 failed=0"),
            std::string::npos);
  for (const auto& entry : fs::directory_iterator(dir_ / "outbox")) {
    const fs::path received = dir_ / "inbox-bob" / entry.path().filename();
    ASSERT_TRUE(fs::exists(received)) << entry.path().filename();
    EXPECT_TRUE(ReadText(received) == ReadText(entry.path())) << entry.path().filename();
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "inbox-bob"), fs::directory_iterator()), 43);

  for (const char* account : {"bob", "carol"}) {
    EXPECT_EQ(ProcessAndSummarize(account).find("reported=yes"), std::string::npos) << account;
    EXPECT_FALSE(fs::exists(dir_ / "reports" / (std::string(account) + ".json"))) << account;
  }
  StopAll();
}

}  // namespace
}  // namespace hashveil::testing
