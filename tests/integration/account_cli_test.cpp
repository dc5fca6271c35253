// `hashveil account export|import` through the real binary: a second device made from the first
// one's export shares its threshold, and the same image sent from both counts once.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "api_files.h"
#include "support/cli_runner.h"

namespace hashveil::testing {
namespace {

class AccountCliTest : public ScannerTest {
 protected:
  CliRun Hashveil(const std::string& args) {
    return RunCli(HASHVEIL_BINARY, args, dir_ / "stderr.txt");
  }
  std::string Common(const std::string& account) const {
    return "--db " + db_path_.string() + " --publisher " + (dir_ / "publisher.key.pub").string() +
           " --account " + (dir_ / (account + ".state")).string();
  }
  // The phone's account with `members` scanned, closed again so the CLI can open it.
  std::vector<psi::OpenedVoucher> PhoneScans(std::initializer_list<int> members) {
    std::vector<psi::OpenedVoucher> opened;
    if (!std::filesystem::exists(dir_ / "phone.state.key")) WriteAccountKey("phone", dir_);
    auto phone = MakeScanner("phone");
    for (int member : members) {
      opened.push_back(Open(phone->ScanPixels(members_[member].view(), {}).value()));
    }
    return opened;
  }
  void Append(std::vector<psi::OpenedVoucher>& opened, const std::string& account,
              std::initializer_list<int> members) {
    auto scanner = MakeScanner(account);
    ASSERT_NE(scanner, nullptr);
    EXPECT_FALSE(scanner->account_created());
    for (int member : members) {
      opened.push_back(Open(scanner->ScanPixels(members_[member].view(), {}).value()));
    }
  }
  psi::ThresholdResult Process(std::vector<psi::OpenedVoucher> opened) const {
    std::vector<psi::StoredCandidate> candidates;
    for (psi::OpenedVoucher& voucher : opened) {
      for (psi::Candidate& candidate : voucher.candidates) {
        candidates.push_back({voucher.header.id, std::move(candidate)});
      }
    }
    return psi::ProcessThreshold("alice", candidates, shape_, kThreshold).value();
  }
};

TEST_F(AccountCliTest, TwoDevicesReachTheThresholdTogetherWithATransportKey) {
  auto opened = PhoneScans({0, 1});
  const auto transport = dir_ / "transport.key";
  CliRun run = Hashveil("account export " + Common("phone") + " --out " +
                        (dir_ / "phone.export").string() + " --key-file " + transport.string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(std::filesystem::exists(transport));  // created for the user to carry over
  EXPECT_EQ(std::filesystem::status(dir_ / "phone.export").permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  WriteAccountKey("laptop", dir_);
  run = Hashveil("account import " + Common("laptop") + " --in " +
                 (dir_ / "phone.export").string() + " --key-file " + transport.string());
  ASSERT_EQ(run.exit_code, 0) << run.err;

  Append(opened, "laptop", {1});  // the phone's image again, from the laptop
  EXPECT_EQ(Process(std::move(opened)).outcome, psi::ThresholdResult::Outcome::kBelowThreshold);
  opened = PhoneScans({0, 1});
  Append(opened, "laptop", {1, 2});
  const psi::ThresholdResult crossed = Process(std::move(opened));
  EXPECT_EQ(crossed.outcome, psi::ThresholdResult::Outcome::kRevealed);
  EXPECT_EQ(crossed.distinct_images, 3u);
}

TEST_F(AccountCliTest, PassphraseExportImportsOnlyWithThatPassphrase) {
  auto opened = PhoneScans({0});
  std::ofstream(dir_ / "pass.txt") << "correct horse battery staple\n";
  std::ofstream(dir_ / "wrong.txt") << "correct horse battery stapler\n";
  const std::string out = " --out " + (dir_ / "phone.export").string();
  const std::string in = " --in " + (dir_ / "phone.export").string();
  CliRun run = Hashveil("account export " + Common("phone") + out + " --passphrase-file " +
                        (dir_ / "pass.txt").string());
  ASSERT_EQ(run.exit_code, 0) << run.err;

  WriteAccountKey("laptop", dir_);
  run = Hashveil("account import " + Common("laptop") + in + " --passphrase-file " +
                 (dir_ / "wrong.txt").string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("corrupt"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(dir_.string()), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "laptop.state"));

  run = Hashveil("account import " + Common("laptop") + in + " --passphrase-file " +
                 (dir_ / "pass.txt").string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Append(opened, "laptop", {0, 3});
  EXPECT_EQ(Process(std::move(opened)).distinct_images, 2u);

  run = Hashveil("account import " + Common("laptop") + in + " --passphrase-file " +
                 (dir_ / "pass.txt").string());
  EXPECT_EQ(run.exit_code, 1);  // never overwrites a device's state
  EXPECT_NE(run.err.find("already exists"), std::string::npos) << run.err;
}

TEST_F(AccountCliTest, UsageAndMissingInputs) {
  const std::string out = " --out " + (dir_ / "x.export").string();
  EXPECT_EQ(Hashveil("account export " + Common("phone") + out).exit_code, 2);
  EXPECT_EQ(Hashveil("account export " + Common("phone") + out + " --key-file a --passphrase-file b")
                .exit_code,
            2);
  const CliRun missing = Hashveil("account export " + Common("nobody") + out + " --key-file " +
                                  (dir_ / "t.key").string());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("not found"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "nobody.state"));
}

}  // namespace
}  // namespace hashveil::testing
