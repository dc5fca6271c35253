// Runs examples/c (the C ABI's example, built as C99 with -Werror) on a member image and checks
// the voucher it wrote with the server's opener.
#include <gtest/gtest.h>

#include "api_files.h"
#include "support/cli_runner.h"
#include "hashveil/common/secret_file.h"

namespace hashveil::testing {
namespace {

class CExampleTest : public ScannerTest {
 protected:
  // The C ABI keeps the default privacy floor: a DB at its synthetic rate.
  CExampleTest() { synthetic_rate_ppm_ = psi::PrivacyFloor{}.min_synthetic_rate_ppm; }

  CliRun Run(const std::string& args) {
    return RunCli(HASHVEIL_C_EXAMPLE, args, dir_ / "stderr.txt");
  }
};

TEST_F(CExampleTest, WritesAVoucherTheServerOpens) {
  const auto image = WritePng(members_[4], dir_ / "member.png");
  const auto key = WriteAccountKey("alice", dir_);
  const auto voucher_path = dir_ / "member.voucher";
  const CliRun run = Run(db_path_.string() + " " + (dir_ / "publisher.key.pub").string() + " " +
                         (dir_ / "alice.state").string() + " alice " + key.string() + " " +
                         image.string() + " " + voucher_path.string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("voucher: " + std::to_string(shape_.total_bytes()) + " bytes"),
            std::string::npos)
      << run.out;
  auto voucher = ReadFileBytes(voucher_path, 1 << 20);
  ASSERT_TRUE(voucher.ok());
  const psi::OpenedVoucher opened = Open(*voucher);
  ASSERT_FALSE(opened.candidates.empty());
}

TEST_F(CExampleTest, ReportsFailuresByExitCode) {
  EXPECT_EQ(Run("").exit_code, 2);
  const auto image = WritePng(members_[4], dir_ / "member.png");
  const auto key = WriteAccountKey("alice", dir_);
  const CliRun missing_db = Run((dir_ / "absent.hvdb").string() + " " +
                                (dir_ / "publisher.key.pub").string() + " " +
                                (dir_ / "alice.state").string() + " alice " + key.string() + " " +
                                image.string() + " " + (dir_ / "out.voucher").string());
  EXPECT_EQ(missing_db.exit_code, 1);
  EXPECT_NE(missing_db.err.find("scanner: not found"), std::string::npos) << missing_db.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out.voucher"));
}

}  // namespace
}  // namespace hashveil::testing
