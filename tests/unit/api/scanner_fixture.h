// Shared pieces of the Scanner and C ABI tests: seeded test images, a small signed client DB
// holding some of them, the publisher key and account key files, and the server's side
// (opening vouchers, threshold processing) to check what the scanner produced.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/db_builder.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "hashveil/psi/threshold.h"
#include "hashveil/psi/voucher_builder.h"
#include "hashveil/psi/voucher_opener.h"
#include "hashveil/scanner.h"
#include "support/test_paths.h"

namespace hashveil::testing {

// Seeded RGB images with enough structure to hash at full quality: smooth random blobs.
struct TestImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;
  matcher::ImageView view() const {
    return {.data = rgb.data(), .width = width, .height = height,
            .stride = static_cast<std::size_t>(width) * 3, .format = matcher::PixelFormat::kRgb8};
  }
};

inline TestImage MakeTestImage(std::uint64_t seed, int width = 120, int height = 90) {
  auto random = MakeSeededRandomForTesting(seed);
  TestImage image{width, height, std::vector<std::uint8_t>(std::size_t(width) * height * 3)};
  // A coarse 8x6 grid of random colours, bilinearly interpolated: PDQ's low frequencies.
  constexpr int kGridX = 8, kGridY = 6;
  std::uint8_t grid[kGridY][kGridX][3];
  for (auto& row : grid) {
    for (auto& cell : row) random->Fill(cell);
  }
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double gx = double(x) * (kGridX - 1) / (width - 1);
      const double gy = double(y) * (kGridY - 1) / (height - 1);
      const int x0 = std::min(int(gx), kGridX - 2), y0 = std::min(int(gy), kGridY - 2);
      const double fx = gx - x0, fy = gy - y0;
      for (int c = 0; c < 3; ++c) {
        const double top = grid[y0][x0][c] * (1 - fx) + grid[y0][x0 + 1][c] * fx;
        const double bottom = grid[y0 + 1][x0][c] * (1 - fx) + grid[y0 + 1][x0 + 1][c] * fx;
        image.rgb[(std::size_t(y) * width + x) * 3 + c] =
            static_cast<std::uint8_t>(top * (1 - fy) + bottom * fy + 0.5);
      }
    }
  }
  return image;
}

class ScannerTest : public ::testing::Test {
 public:
  // A fixed key per account name, so a test can reopen an account.
  static psi::AccountStateKey AccountKey(const std::string& account) {
    psi::AccountStateKey key;
    for (std::size_t i = 0; i < key.size(); ++i) {
      key.data()[i] = static_cast<std::uint8_t>(account[i % account.size()] + i);
    }
    return key;
  }

 protected:
  static constexpr int kMembers = 6;
  static constexpr std::uint32_t kThreshold = 3;

  void SetUp() override {
    dir_ = ::hashveil::testing::FreshDirForCurrentTest("hv-api");
    random_ = MakeSeededRandomForTesting(11);
    secret_ = hashdb::GenerateServerSecret(*random_);
    publisher_ = hashdb::GeneratePublisherKeys(*random_);
    ASSERT_TRUE(hashdb::SavePublisherKeys(publisher_, dir_ / "publisher.key",
                                          dir_ / "publisher.key.pub").ok());
    std::vector<hashdb::PublishedEntry> entries;
    for (int i = 0; i < kMembers; ++i) {
      members_.push_back(MakeTestImage(100 + i));
      auto hashed = matcher::HashPixels(members_.back().view());
      ASSERT_TRUE(hashed.ok());
      ASSERT_GE(hashed->quality, matcher::kPdqMinQuality);
      entries.push_back({hashed->hash, std::uint32_t(hashed->quality), {"src-a", "src-b"}});
    }
    hashdb::DbBuildOptions options;
    options.threshold = kThreshold;
    options.synthetic_rate_ppm = synthetic_rate_ppm_;
    options.synthetic_max = 4;
    options.threads = 1;
    db_path_ = dir_ / "client.hvdb";
    auto built = hashdb::BuildClientDb(entries, options, secret_, publisher_, *random_, db_path_,
                                       dir_ / "client.hvdb.proof");
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    auto loaded = hashdb::ClientDb::Load(db_path_, publisher_.public_key);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    shape_ = psi::VoucherBuilder::ShapeOf(**loaded);
    opener_ = psi::VoucherOpener::Create(shape_, secret_.alpha).value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A scanner over the state file `account`.state: one device of the account the server calls
  // alice.
  ScannerOptions Options(const std::string& account) const {
    ScannerOptions options;
    options.db_path = db_path_;
    options.publisher = publisher_.public_key;
    options.account_state_path = dir_ / (account + ".state");
    options.account_key = AccountKey(account);
    options.account_name = "alice";  // the server's name for the account, whatever the device
    // This suite counts real shares, so its DB has p_syn = 0, below the default floor; an app
    // could lower its floor the same way (the C ABI cannot: its suites use a DB at the floor).
    options.privacy_floor.min_synthetic_rate_ppm = synthetic_rate_ppm_;
    return options;
  }
  std::uint64_t scanner_db_epoch() const {
    return hashdb::ClientDb::Load(db_path_, publisher_.public_key).value()->params().epoch;
  }
  // A DB of the members under `epoch` and threshold `t` (the suite's other parameters), written
  // to dir_/NAME.hvdb.
  std::filesystem::path BuildNewerDb(std::uint64_t epoch, std::uint32_t t,
                                     const std::string& name) {
    std::vector<hashdb::PublishedEntry> entries;
    for (const TestImage& member : members_) {
      const auto hashed = matcher::HashPixels(member.view()).value();
      entries.push_back({hashed.hash, std::uint32_t(hashed.quality), {"src-a", "src-b"}});
    }
    hashdb::DbBuildOptions options;
    options.threshold = t;
    options.synthetic_rate_ppm = 0;
    options.synthetic_max = 4;
    options.threads = 1;
    options.epoch = epoch;
    const auto path = dir_ / (name + ".hvdb");
    EXPECT_TRUE(hashdb::BuildClientDb(entries, options, secret_, publisher_, *random_, path,
                                      dir_ / (name + ".hvdb.proof"))
                    .ok());
    return path;
  }
  std::unique_ptr<Scanner> MakeScanner(const std::string& account) {
    auto scanner = Scanner::Create(Options(account));
    EXPECT_TRUE(scanner.ok()) << scanner.status().ToString();
    return scanner.ok() ? std::move(scanner).value() : nullptr;
  }

  // The server's view of one voucher of `account`: opened with alpha.
  psi::OpenedVoucher Open(const std::vector<std::uint8_t>& voucher,
                          std::string_view account = "alice") const {
    auto opened = opener_->Open(voucher, account);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return std::move(opened).value();
  }

  // The DB's p_syn. 0 (every member voucher real) unless a suite sets it in its constructor:
  // the C ABI's suites use the default floor's rate, and scan only members, whose vouchers open
  // whether they are real or synthetic.
  std::uint32_t synthetic_rate_ppm_ = 0;
  std::filesystem::path dir_;
  std::filesystem::path db_path_;
  std::unique_ptr<RandomSource> random_;
  hashdb::ServerSecret secret_;
  hashdb::PublisherKeyPair publisher_;
  std::vector<TestImage> members_;
  psi::VoucherShape shape_;
  std::unique_ptr<psi::VoucherOpener> opener_;
};

}  // namespace hashveil::testing
