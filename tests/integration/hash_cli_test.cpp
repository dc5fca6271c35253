// Runs the real `hashveil hash` binary (docs/design.md section 9).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "support/cli_runner.h"
#include "support/test_paths.h"

namespace {

namespace fs = std::filesystem;

using ::hashveil::testing::CliRun;

CliRun RunHash(const std::string& args, const fs::path& err_file) {
  return ::hashveil::testing::RunCli(HASHVEIL_BINARY, "hash " + args, err_file);
}

class HashCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hv_hash_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(HashCliTest, ReferenceModePrintsTheReferenceCliLines) {
  const fs::path vectors = hashveil::testing::PdqVectorsDir();
  const CliRun run = RunHash("--reference " + (vectors / "bridge-mods").string(), dir_ / "err");
  EXPECT_EQ(run.exit_code, 0);
  // The reference CSV's bridge-mods lines, with our paths: same hashes, same sorted order.
  std::ifstream csv(vectors / "reference-hashes.csv");
  std::string line, expected;
  while (std::getline(csv, line)) {
    const auto comma = line.rfind(',');
    if (line.find(",bridge-mods/") != std::string::npos) {
      expected += line.substr(0, comma + 1) + (vectors / line.substr(comma + 1)).string() + "\n";
    }
  }
  EXPECT_EQ(run.out, expected);
}

TEST_F(HashCliTest, DihedralAndJsonFormats) {
  const fs::path image = hashveil::testing::PdqVectorsDir() / "bridge-mods" / "aaa-orig.jpg";
  CliRun run = RunHash("--dihedral --reference " + image.string(), dir_ / "err");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), ','), 9);
  EXPECT_EQ(run.out.rfind("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22,f0a10efd", 0), 0u);

  run = RunHash("--json " + image.string(), dir_ / "err");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("\"quality\":100"), std::string::npos);
  EXPECT_NE(run.out.find("\"path\":\"" + image.string() + "\""), std::string::npos);
  EXPECT_EQ(run.out.front(), '{');
}

TEST_F(HashCliTest, OneBadFileIsReportedWithoutItsPathAndTheRestAreHashed) {
  const fs::path good = hashveil::testing::PdqVectorsDir() / "misc-images" / "wee.jpg";
  const fs::path bad = dir_ / "secret-name.jpg";
  std::ofstream(bad) << "\xFF\xD8\xFF not really a jpeg";
  const CliRun run = RunHash(bad.string() + " " + good.string(), dir_ / "err");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find(good.string()), std::string::npos);
  const std::string err = run.err;
  EXPECT_NE(err.find("input 1 of 2"), std::string::npos) << err;
  EXPECT_EQ(err.find("secret-name"), std::string::npos) << err;
}

TEST_F(HashCliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunHash("", dir_ / "err").exit_code, 2);
  EXPECT_EQ(RunHash("--no-such-flag x.jpg", dir_ / "err").exit_code, 2);
}

}  // namespace
