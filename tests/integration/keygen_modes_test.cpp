// `hashveil keygen` through the real binary (issue 15 item 6): it printed "mode 0600" over key
// files another local user had planted or redirected. It now refuses a link or a foreign file at
// a target before writing anything, and prints the modes the files have.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "support/cli_runner.h"
#include "support/file_owner.h"

namespace hashveil {
namespace {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::ModeOf;

class KeygenModesTest : public testing::ScratchDirTest {
 protected:
  CliRun Keygen() const {
    return testing::RunCli(HASHVEIL_BINARY,
                           "keygen --secret " + (dir_ / "server.key").string() + " --signing " +
                               (dir_ / "pub.key").string(),
                           dir_ / "stderr");
  }
  void ExpectRefusedWithNothingWritten(const CliRun& run) {
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_EQ(run.out.find("mode 0600"), std::string::npos) << run.out;
    EXPECT_NE(run.err.find("refusing"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find(dir_.string()), std::string::npos) << run.err;
  }

};

TEST_F(KeygenModesTest, PrintsTheModesTheFilesHave) {
  const CliRun run = Keygen();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ModeOf(dir_ / "server.key"), 0600u);
  EXPECT_EQ(ModeOf(dir_ / "pub.key"), 0600u);
  EXPECT_EQ(ModeOf(dir_ / "pub.key.pub"), 0644u);
  EXPECT_NE(run.out.find("server secret: written (mode 0600)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("publisher key: written (mode 0600)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("suffix .pub (mode 0644)"), std::string::npos) << run.out;
}

TEST_F(KeygenModesTest, ALinkAtATargetIsRefusedBeforeAnyKeyIsWritten) {
  fs::create_symlink(dir_ / "attacker-reads-this", dir_ / "pub.key");
  ExpectRefusedWithNothingWritten(Keygen());
  EXPECT_FALSE(fs::exists(dir_ / "server.key"));
  EXPECT_FALSE(fs::exists(dir_ / "attacker-reads-this"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "pub.key"));
}

TEST_F(KeygenModesTest, AnotherUsersFileAtATargetIsRefusedAndLeftAlone) {
  HV_SKIP_UNLESS_ROOT();
  testing::PlantFile(dir_ / "server.key", 0666, /*foreign=*/true);
  ExpectRefusedWithNothingWritten(Keygen());
  EXPECT_EQ(ModeOf(dir_ / "server.key"), 0666u);
  EXPECT_EQ(testing::ReadTextFile(dir_ / "server.key"), "planted");
  EXPECT_FALSE(fs::exists(dir_ / "pub.key"));
}

}  // namespace
}  // namespace hashveil
