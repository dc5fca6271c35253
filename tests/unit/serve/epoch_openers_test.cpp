// The service's acceptance of DB epochs (docs/service.md, "DB updates"), judged by an injected
// clock: the current epoch always, the previous one until its transition deadline and not a
// second later, an unknown or closed epoch refused as another epoch (409), each epoch's
// vouchers opened under its own shape.
#include "epoch_openers.h"

#include <gtest/gtest.h>

#include <atomic>

#include "unit/psi/voucher_fixture.h"

namespace hashveil::tools::serve {
namespace {

using psi::testing::kAccount;

class EpochOpenersTest : public psi::testing::VoucherTest {
 protected:
  // Two DBs over the same members, epochs 100 and 200, P = 4 and P = 8 (vouchers of two sizes).
  void SetUp() override {
    VoucherTest::SetUp();
    hashdb::DbBuildOptions options;
    options.threshold = 3;
    options.synthetic_rate_ppm = 0;
    options.key_scheme.probes = 4;
    options.epoch = 100;
    old_ = MakeClient(2, options, "old");
    options.key_scheme.probes = 8;
    options.epoch = 200;
    new_ = MakeClient(2, options, "new");
    // Served: the new DB current, the old one accepted until 5000.
    dbs_ = {{.params = Served(*new_.db), .accepted_until = std::nullopt},
            {.params = Served(*old_.db), .accepted_until = 5000}};
  }

  std::vector<std::uint8_t> VoucherOf(const Client& client) {
    return Build(*client.builder, InputFor(members_[0].hash));
  }

  Client old_, new_;
  std::vector<psi::ServedDb> dbs_;
  std::atomic<std::int64_t> now_{1000};
};

TEST_F(EpochOpenersTest, ThePreviousEpochIsAcceptedUntilItsDeadlineAndNotASecondLater) {
  auto openers = EpochOpeners::Create(dbs_, secret_.alpha, [this] { return now_.load(); });
  ASSERT_TRUE(openers.ok()) << openers.status().ToString();
  const auto old_voucher = VoucherOf(old_);
  const auto new_voucher = VoucherOf(new_);
  EXPECT_EQ(openers->max_voucher_bytes(), new_voucher.size());
  EXPECT_GT(new_voucher.size(), old_voucher.size());

  const auto before = openers->Open(old_voucher, kAccount);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->header.epoch, 100u);
  now_ = 4999;
  EXPECT_TRUE(openers->Open(old_voucher, kAccount).ok());
  now_ = 5000;
  EXPECT_EQ(openers->Open(old_voucher, kAccount).status().code(),
            StatusCode::kFailedPrecondition);
  // The current epoch has no deadline.
  now_ = 1'000'000;
  const auto current = openers->Open(new_voucher, kAccount);
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_EQ(current->header.epoch, 200u);
}

TEST_F(EpochOpenersTest, AnEpochClosedAtStartOrNeverServedIsAnotherEpoch) {
  now_ = 6000;  // started after the old epoch's deadline: no opener for it at all
  auto late = EpochOpeners::Create(dbs_, secret_.alpha, [this] { return now_.load(); });
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->max_voucher_bytes(), VoucherOf(new_).size());
  EXPECT_EQ(late->Open(VoucherOf(old_), kAccount).status().code(),
            StatusCode::kFailedPrecondition);

  now_ = 1000;
  auto openers = EpochOpeners::Create(dbs_, secret_.alpha, [this] { return now_.load(); }).value();
  auto unknown = VoucherOf(new_);
  unknown[1] ^= 0x01;  // epoch 201
  EXPECT_EQ(openers.Open(unknown, kAccount).status().code(), StatusCode::kFailedPrecondition);
  // Not the current format, or too short for a header: the current epoch's public checks decide.
  auto version = VoucherOf(new_);
  version[0] ^= 0x7f;
  EXPECT_EQ(openers.Open(version, kAccount).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(openers.Open(std::vector<std::uint8_t>(5, psi::kVoucherVersion), kAccount)
                .status()
                .code(),
            StatusCode::kCorrupt);
}

}  // namespace
}  // namespace hashveil::tools::serve
