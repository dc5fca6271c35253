// No error message contains a hash, a key or a user path (issue 7). Drives the API and, when it
// is built, the `hashveil` CLI through many failures on files in a temporary directory, and
// checks every message for a run of >= 32 hex digits and for the directory's path.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_fixture.h"
#include "fuzz/message_check.h"
#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/db_proof.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/hashdb/source_store.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "hashveil/psi/account_state.h"

namespace hashveil::hostile {
namespace {

// A 64-digit hash that failing inputs carry, so an echo of the input would show.
constexpr char kHash[] = "f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95";

class ErrorMessageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The folder's name holds hex too, as a user's might.
    dir_ = std::filesystem::temp_directory_path() /
           ("hv-user-" + std::to_string(::getpid()) + "-" + std::string(kHash).substr(0, 40));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Write("corrupt.jpg", std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF") + kHash);
    Write("corrupt.png", std::string("\x89PNG\r\n\x1a\n") + kHash);
    Write("text.jpg", kHash);
    Write("bad.hvdb", std::string("HVDB\x01\x00\x00\x00") + kHash);
    Write("bad.proof", std::string("HVPF") + kHash);
    Write("bad.key", std::string("HVSK\x01\x00\x00\x00") + kHash + kHash);
    Write("bad.pub", std::string("HVPP") + kHash);
    Write("not-a-store.sqlite", kHash);
    Write("list.txt", std::string(kHash) + "\n" + kHash + "z\nhash=" + kHash + "0\n");
    Write("state", std::string("SQLite format 3") + kHash);
    std::filesystem::create_directories(dir_ / "folder.jpg");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, const std::string& contents) {
    std::ofstream(dir_ / name, std::ios::binary) << contents;
  }
  std::filesystem::path Path(const std::string& name) const { return dir_ / name; }

  // Records a failure's message; a success where a failure was expected fails the test.
  void Expect(const Status& status, const std::string& what) {
    EXPECT_FALSE(status.ok()) << what << " succeeded";
    EXPECT_FALSE(status.message().empty()) << what;
    messages_.push_back(what + ": " + status.message());
  }

  void ExpectNoLeaks() const {
    for (const std::string& message : messages_) {
      const auto colon = message.find(": ");
      EXPECT_FALSE(fuzz::MessageLeaks(message.substr(colon + 2), dir_.native())) << message;
      EXPECT_EQ(message.find(kHash), std::string::npos) << message;
    }
  }

  std::filesystem::path dir_;
  std::vector<std::string> messages_;
};

TEST_F(ErrorMessageTest, LibraryErrorsNameNoHashKeyOrPath) {
  for (const char* name : {"missing.jpg", "corrupt.jpg", "corrupt.png", "text.jpg", "folder.jpg"}) {
    for (const auto mode : {matcher::DecodeMode::kFast, matcher::DecodeMode::kReference}) {
      Expect(matcher::HashImageFile(Path(name), {.mode = mode}).status(), std::string("hash ") + name);
    }
  }
  const auto& fixture = fuzz::TheFixtureDb();
  for (const char* name : {"missing.hvdb", "bad.hvdb", "corrupt.jpg", "folder.jpg"}) {
    Expect(hashdb::ClientDb::Load(Path(name), fixture.publisher).status(), std::string("load ") + name);
    Expect(hashdb::ClientDb::LoadIgnoringSignature(Path(name)).status(), std::string("load* ") + name);
  }
  hashdb::PublisherPublicKey wrong_publisher = fixture.publisher;
  wrong_publisher[0] ^= 1;
  Expect(hashdb::ClientDb::Load(fixture.db, wrong_publisher).status(), "wrong publisher");
  for (const char* name : {"missing.proof", "bad.proof", "bad.hvdb"}) {
    Expect(hashdb::LoadDbProof(Path(name)).status(), std::string("proof ") + name);
  }
  for (const char* name : {"missing.key", "bad.key", "bad.pub", "bad.hvdb"}) {
    Expect(hashdb::LoadServerSecret(Path(name)).status(), std::string("secret ") + name);
    Expect(hashdb::LoadPublisherKeys(Path(name)).status(), std::string("signing ") + name);
    Expect(hashdb::LoadPublisherPublicKey(Path(name)).status(), std::string("public ") + name);
  }

  auto random = MakeSeededRandomForTesting(5);
  Expect(psi::AccountState::OpenOrCreate(Path("state"), fuzz::FixtureAccountKey(),
                                         fuzz::FixtureAccountParameters(), *random)
             .status(),
         "state not SQLite");
  {
    auto created = psi::AccountState::OpenOrCreate(Path("good.state"), fuzz::FixtureAccountKey(),
                                                   fuzz::FixtureAccountParameters(), *random);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }
  psi::AccountStateKey wrong_key;
  Expect(psi::AccountState::OpenOrCreate(Path("good.state"), wrong_key,
                                         fuzz::FixtureAccountParameters(), *random)
             .status(),
         "state wrong key");
  Expect(psi::CheckPrivacyFloor({.threshold = 2, .synthetic_max = 4}, psi::PrivacyFloor{}),
         "DB below the privacy floor");

  Expect(hashdb::SourceStore::Open(Path("not-a-store.sqlite")).status(), "store not SQLite");
  auto store = hashdb::SourceStore::Open(Path("store.sqlite"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const hashdb::SourceInfo source{.name = "list", .organisation = "org", .jurisdiction = "US"};
  Expect((*store)->ImportHashList(source, Path("list.txt"), {}).status(), "bad hash list");
  Expect((*store)->ImportHashList(source, Path("missing.txt"), {}).status(), "missing hash list");

  EXPECT_GE(messages_.size(), 40u);
  ExpectNoLeaks();
}

#ifdef HASHVEIL_BINARY
// Runs the CLI with stderr folded into stdout; returns the output and sets the exit code.
std::string RunCli(const std::string& arguments, int* exit_code) {
  const std::string command = std::string(HASHVEIL_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (pipe != nullptr && std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
    output += buffer.data();
  }
  const int status = pipe != nullptr ? ::pclose(pipe) : -1;
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

TEST_F(ErrorMessageTest, CliErrorsNameNoHashKeyOrPath) {
  ASSERT_TRUE(std::filesystem::exists(HASHVEIL_BINARY)) << "the hashveil CLI is not built";
  const auto q = [&](const std::string& name) { return "'" + Path(name).string() + "'"; };
  const std::vector<std::string> failing = {
      "hash " + q("corrupt.jpg") + " " + q("missing.jpg") + " " + q("text.jpg"),
      "hash --reference " + q("corrupt.png") + " " + q("folder.jpg"),
      "db info " + q("bad.hvdb"),
      "db info " + q("missing.hvdb"),
      "db verify " + q("bad.hvdb") + " --publisher " + q("bad.pub"),
      "db build --store " + q("not-a-store.sqlite") + " --secret " + q("bad.key") + " --signing " +
          q("bad.key") + " --out " + q("out.hvdb"),
      "keygen --secret " + q("bad.key") + " --signing " + q("bad.pub"),
      "audit db --store " + q("not-a-store.sqlite") + " --db " + q("bad.hvdb") + " --proof " +
          q("bad.proof"),
  };
  for (const std::string& arguments : failing) {
    int exit_code = 0;
    const std::string output = RunCli(arguments, &exit_code);
    SCOPED_TRACE(arguments);
    EXPECT_NE(exit_code, 0) << output;
    EXPECT_FALSE(output.empty());
    EXPECT_FALSE(fuzz::MessageLeaks(output, dir_.native())) << output;
  }
}
#endif

}  // namespace
}  // namespace hashveil::hostile
