// Group commit under concurrency: vouchers committed from many threads at once, each sent twice,
// are stored once and each call is told truthfully whether its voucher was new, whatever batches
// the calls fell into.
#include "group_committer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "support/test_paths.h"

namespace hashveil::tools::serve {
namespace {

// A voucher that opened nothing: only its id is stored.
psi::OpenedVoucher VoucherNumber(std::size_t n) {
  psi::OpenedVoucher voucher;
  voucher.header.id[0] = static_cast<std::uint8_t>(n);
  voucher.header.id[1] = static_cast<std::uint8_t>(n >> 8);
  return voucher;
}

class GroupCommitterTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ::hashveil::testing::FreshDirForCurrentTest("hv-group-commit"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(GroupCommitterTest, ConcurrentCommitsAreStoredOnceAndAnsweredTruthfully) {
  constexpr std::size_t kThreads = 8, kVouchers = 240;
  StorePool stores(dir_ / "server.sqlite");
  GroupCommitter commits(stores, /*max_batch=*/5);  // small: the queue splits into many batches
  std::vector<psi::OpenedVoucher> vouchers;
  for (std::size_t n = 0; n < kVouchers; ++n) vouchers.push_back(VoucherNumber(n));
  // Voucher n goes to account n % 3, sent by threads n % 8 and (n + 1) % 8.
  std::vector<std::atomic<int>> news(kVouchers), answers(kVouchers);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t n = 0; n < kVouchers; ++n) {
        if (n % kThreads != t && (n + 1) % kThreads != t) continue;
        const auto added = commits.Commit("account" + std::to_string(n % 3), vouchers[n]);
        if (!added.ok()) ++failures;
        else if (*added) ++news[n];
        ++answers[n];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  for (std::size_t n = 0; n < kVouchers; ++n) {
    EXPECT_EQ(answers[n], 2) << "voucher " << n;
    EXPECT_EQ(news[n], 1) << "voucher " << n;
  }
  auto store = stores.Acquire().value();
  const auto accounts = store->ListAccounts().value();
  std::uint64_t stored = 0;
  for (const auto& account : accounts) stored += account.vouchers;
  EXPECT_EQ(stored, kVouchers);
}

TEST_F(GroupCommitterTest, ABadAccountNameIsRefusedAloneAndNothingElseFails) {
  StorePool stores(dir_ / "server.sqlite");
  GroupCommitter commits(stores);
  const psi::OpenedVoucher voucher = VoucherNumber(1);
  EXPECT_EQ(commits.Commit("../alice", voucher).status().code(), StatusCode::kInvalidInput);
  EXPECT_TRUE(commits.Commit("alice", voucher).value());
  EXPECT_FALSE(commits.Commit("alice", voucher).value());
}

}  // namespace
}  // namespace hashveil::tools::serve
