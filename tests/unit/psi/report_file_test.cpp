// A report is never replaced by one made from fewer vouchers (issue 13): a processor whose
// PostgreSQL connection was lost may still be writing an account's report after another one,
// holding the bucket now, wrote a newer report of it (docs/service.md, "PostgreSQL store").
#include <gtest/gtest.h>

#include <filesystem>
#include <latch>
#include <string>
#include <thread>

#include "hashveil/common/secret_file.h"
#include "hashveil/psi/report.h"
#include "support/test_paths.h"

namespace hashveil::psi {
namespace {

// The reportable report of least content: one verified match at t = 1. How a real one is made
// (store, threshold, verification) is threshold_test's; here only the file is.
AccountReport ReportOf(std::uint64_t vouchers) {
  AccountReport report{.counts = {.account = "alice", .vouchers = vouchers}, .threshold = 1};
  report.matches.emplace_back();
  report.matches.back().voucher.id.fill(7);
  return report;
}

class ReportFileTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ::hashveil::testing::FreshDirForCurrentTest("hv-report"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string ReportText() const {
    const auto bytes = ReadFileBytes(dir_ / "alice.json", 1 << 20);
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : std::string();
  }

  void WriteRaw(const std::string& text) {
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()),
                                              text.size());
    ASSERT_TRUE(WriteSecretFile(dir_ / "alice.json", bytes, /*overwrite=*/true).ok());
  }

  std::filesystem::path dir_;
};

TEST_F(ReportFileTest, AReportOfFewerVouchersKeepsTheNewerOne) {
  ASSERT_EQ(WriteAccountReport(ReportOf(9), dir_).value(), ReportWrite::kWritten);
  const auto kept = WriteAccountReport(ReportOf(5), dir_);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(*kept, ReportWrite::kKeptNewer);
  EXPECT_EQ(ReportText(), AccountReportJson(ReportOf(9)));
}

TEST_F(ReportFileTest, AReportOfMoreOrAsManyVouchersReplacesTheOlderOne) {
  ASSERT_EQ(WriteAccountReport(ReportOf(5), dir_).value(), ReportWrite::kWritten);
  EXPECT_EQ(WriteAccountReport(ReportOf(9), dir_).value(), ReportWrite::kWritten);
  EXPECT_EQ(ReportText(), AccountReportJson(ReportOf(9)));
  EXPECT_EQ(WriteAccountReport(ReportOf(9), dir_).value(), ReportWrite::kWritten);
  EXPECT_EQ(ReportText(), AccountReportJson(ReportOf(9)));
}

TEST_F(ReportFileTest, AnExistingFileWithoutAVoucherCountIsReplaced) {
  for (const std::string existing :
       {"not json {", "{\"account\": \"alice\"}", "{\"vouchers\": \"many\"}", "[12]"}) {
    WriteRaw(existing);
    EXPECT_EQ(WriteAccountReport(ReportOf(5), dir_).value(), ReportWrite::kWritten) << existing;
    EXPECT_EQ(ReportText(), AccountReportJson(ReportOf(5))) << existing;
  }
}

// The lock file is the reports directory's own: owner-only, like the reports.
TEST_F(ReportFileTest, TheLockFileIsOwnerOnly) {
  ASSERT_TRUE(WriteAccountReport(ReportOf(5), dir_).ok());
  EXPECT_EQ(FilePermissions(dir_ / ".reports.lock").value(), 0600u);
}

// Two processors writing one account's report at once, the older report's writer possibly
// last: the newer report is what stays. Without the lock and the check, the order of the two
// renames decides, and some of the rounds end with the older report.
TEST_F(ReportFileTest, RacingWritersAlwaysLeaveTheReportOfMoreVouchers) {
  const AccountReport older = ReportOf(5);
  const AccountReport newer = ReportOf(9);
  const std::string newer_json = AccountReportJson(newer);
  int older_left = 0;
  for (int round = 0; round < 200; ++round) {
    std::filesystem::remove(dir_ / "alice.json");
    std::latch start(2);
    Status older_status, newer_status;
    std::thread older_writer([&] {
      start.arrive_and_wait();
      older_status = WriteAccountReport(older, dir_).status();
    });
    std::thread newer_writer([&] {
      start.arrive_and_wait();
      newer_status = WriteAccountReport(newer, dir_).status();
    });
    older_writer.join();
    newer_writer.join();
    ASSERT_TRUE(older_status.ok()) << older_status.ToString();
    ASSERT_TRUE(newer_status.ok()) << newer_status.ToString();
    if (ReportText() != newer_json) ++older_left;
  }
  EXPECT_EQ(older_left, 0) << "of 200 rounds ended with the older report";
}

}  // namespace
}  // namespace hashveil::psi
