#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "hashveil/hashveil.h"
#include "scanner_fixture.h"

namespace hashveil::testing {
namespace {

using Message = std::array<char, 256>;

class CApiTest : public ScannerTest {
 protected:
  // The C ABI keeps the default privacy floor: a DB at its synthetic rate.
  CApiTest() { synthetic_rate_ppm_ = psi::PrivacyFloor{}.min_synthetic_rate_ppm; }

  void SetUp() override {
    ScannerTest::SetUp();
    Message message{};
    ASSERT_EQ(hv_publisher_key_load((dir_ / "publisher.key.pub").c_str(), publisher_key_,
                                    message.data(), message.size()),
              HV_OK)
        << message.data();
    const psi::AccountStateKey key = AccountKey("alice");
    std::memcpy(account_key_, key.data(), HV_ACCOUNT_KEY_BYTES);
  }
  void TearDown() override {
    hv_scanner_destroy(scanner_);
    ScannerTest::TearDown();
  }
  int Create(const std::filesystem::path& db, Message& message) {
    return hv_scanner_create(db.c_str(), publisher_key_, (dir_ / "alice.state").c_str(), "alice",
                             account_key_, 0, &scanner_, message.data(), message.size());
  }

  uint8_t publisher_key_[HV_PUBLISHER_KEY_BYTES] = {};
  uint8_t account_key_[HV_ACCOUNT_KEY_BYTES] = {};
  hv_scanner* scanner_ = nullptr;
};

TEST(CApiVersionTest, VersionIsTheProjectsAndStatusNamesMatchTheCpp) {
  EXPECT_STREQ(hv_version(), HASHVEIL_VERSION_STRING);
  EXPECT_TRUE(std::regex_match(hv_version(), std::regex(R"(\d+\.\d+\.\d+)")));
  EXPECT_STREQ(hv_status_name(HV_OK), StatusCodeName(StatusCode::kOk));
  EXPECT_STREQ(hv_status_name(HV_CORRUPT), StatusCodeName(StatusCode::kCorrupt));
  EXPECT_STREQ(hv_status_name(-1), "unknown");
  EXPECT_STREQ(hv_status_name(HV_INTERNAL + 1), "unknown");
}

TEST_F(CApiTest, PublisherKeyFileLoadsToTheKeyItHolds) {
  EXPECT_EQ(0, std::memcmp(publisher_key_, publisher_.public_key.data(), HV_PUBLISHER_KEY_BYTES));
  uint8_t key[HV_PUBLISHER_KEY_BYTES];
  EXPECT_EQ(hv_publisher_key_load((dir_ / "absent.pub").c_str(), key, nullptr, 0), HV_NOT_FOUND);
  EXPECT_EQ(hv_publisher_key_load(nullptr, key, nullptr, 0), HV_INVALID_INPUT);
}

TEST_F(CApiTest, CreateReportsCodeAndMessageWithoutThePath) {
  Message message{};
  EXPECT_EQ(Create(dir_ / "absent.hvdb", message), HV_NOT_FOUND);
  EXPECT_EQ(scanner_, nullptr);
  EXPECT_GT(std::strlen(message.data()), 0u);
  EXPECT_EQ(std::string(message.data()).find(dir_.string()), std::string::npos);

  EXPECT_EQ(hv_scanner_create(nullptr, publisher_key_, "x", "alice", account_key_, 0, &scanner_,
                              message.data(), message.size()),
            HV_INVALID_INPUT);
  EXPECT_STREQ(message.data(), "db_path is NULL");
  EXPECT_EQ(hv_scanner_create("x", publisher_key_, "x", "alice", account_key_, 0, nullptr, nullptr, 0),
            HV_INVALID_INPUT);

  publisher_key_[0] ^= 1;
  EXPECT_EQ(Create(db_path_, message), HV_CORRUPT);
  EXPECT_EQ(scanner_, nullptr);
}

TEST_F(CApiTest, MessagesAreTruncatedAndTerminated) {
  char small[6];
  std::memset(small, 'x', sizeof small);
  EXPECT_EQ(hv_scanner_create(nullptr, publisher_key_, "x", "alice", account_key_, 0, &scanner_, small,
                              sizeof small),
            HV_INVALID_INPUT);
  EXPECT_STREQ(small, "db_pa");
}

TEST_F(CApiTest, ScanWritesAVoucherTheServerOpens) {
  Message message{};
  ASSERT_EQ(Create(db_path_, message), HV_OK) << message.data();
  EXPECT_STREQ(message.data(), "");
  EXPECT_EQ(hv_scanner_threshold(scanner_), kThreshold);
  const size_t size = hv_scanner_voucher_size(scanner_);
  ASSERT_EQ(size, shape_.total_bytes());

  std::vector<uint8_t> voucher(size);
  size_t written = 0;
  const TestImage& member = members_[3];
  const hv_image image{member.rgb.data(), member.width, member.height,
                       static_cast<size_t>(member.width) * 3, HV_PIXEL_RGB8};
  const uint8_t metadata[] = {'i', 'd'};
  ASSERT_EQ(hv_scanner_scan_pixels(scanner_, &image, metadata, sizeof metadata, voucher.data(),
                                   voucher.size(), &written, message.data(), message.size()),
            HV_OK)
      << message.data();
  EXPECT_EQ(written, size);
  EXPECT_FALSE(Open(voucher).candidates.empty());
}

TEST_F(CApiTest, AScanningThreadKeepsItsBuffersUntilItReleasesThem) {
  Message message{};
  ASSERT_EQ(Create(db_path_, message), HV_OK) << message.data();
  hv_thread_memory_release();
  EXPECT_EQ(hv_thread_memory_bytes(), 0u);
  std::vector<uint8_t> voucher(hv_scanner_voucher_size(scanner_));
  size_t written = 0;
  const TestImage& member = members_[2];
  const hv_image image{member.rgb.data(), member.width, member.height,
                       static_cast<size_t>(member.width) * 3, HV_PIXEL_RGB8};
  ASSERT_EQ(hv_scanner_scan_pixels(scanner_, &image, nullptr, 0, voucher.data(), voucher.size(),
                                   &written, message.data(), message.size()),
            HV_OK)
      << message.data();
  const size_t kept = hv_thread_memory_bytes();
  EXPECT_GT(kept, 0u);                    // the luma plane, kept for the next image
  EXPECT_LE(kept, std::size_t{8} << 20);  // kMaxRetainedHashingBytes
  std::size_t other_thread_bytes = 1;
  std::thread([&] { other_thread_bytes = hv_thread_memory_bytes(); }).join();
  EXPECT_EQ(other_thread_bytes, 0u);  // per thread: another thread has none
  hv_thread_memory_release();
  EXPECT_EQ(hv_thread_memory_bytes(), 0u);
}

TEST_F(CApiTest, ScanRefusesBadArgumentsWithoutTouchingTheOutput) {
  Message message{};
  ASSERT_EQ(Create(db_path_, message), HV_OK) << message.data();
  std::vector<uint8_t> voucher(hv_scanner_voucher_size(scanner_));
  size_t written = 0;
  const uint8_t junk[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  EXPECT_EQ(hv_scanner_scan(scanner_, junk, sizeof junk, nullptr, 0, voucher.data(),
                            voucher.size(), &written, message.data(), message.size()),
            HV_UNSUPPORTED);
  EXPECT_EQ(hv_scanner_scan(scanner_, nullptr, 0, nullptr, 0, voucher.data(), voucher.size(),
                            &written, nullptr, 0),
            HV_INVALID_INPUT);
  EXPECT_EQ(hv_scanner_scan(nullptr, junk, sizeof junk, nullptr, 0, voucher.data(),
                            voucher.size(), &written, nullptr, 0),
            HV_INVALID_INPUT);
  EXPECT_EQ(hv_scanner_scan(scanner_, junk, sizeof junk, nullptr, 5, voucher.data(),
                            voucher.size(), &written, nullptr, 0),
            HV_INVALID_INPUT);

  const TestImage& member = members_[0];
  hv_image image{member.rgb.data(), member.width, member.height,
                 static_cast<size_t>(member.width) * 3, HV_PIXEL_RGB8};
  EXPECT_EQ(hv_scanner_scan_pixels(scanner_, &image, nullptr, 0, voucher.data(),
                                   voucher.size() - 1, &written, message.data(), message.size()),
            HV_INVALID_INPUT);
  std::vector<uint8_t> metadata(HV_MAX_METADATA_BYTES + 1, 'm');
  EXPECT_EQ(hv_scanner_scan_pixels(scanner_, &image, metadata.data(), metadata.size(),
                                   voucher.data(), voucher.size(), &written, nullptr, 0),
            HV_INVALID_INPUT);
  image.format = static_cast<hv_pixel_format>(7);
  EXPECT_EQ(hv_scanner_scan_pixels(scanner_, &image, nullptr, 0, voucher.data(), voucher.size(),
                                   &written, message.data(), message.size()),
            HV_INVALID_INPUT);
  EXPECT_STREQ(message.data(), "unknown pixel format");
  EXPECT_EQ(written, 0u);
}

TEST(CApiNullTest, DestroyAndQueriesAcceptNull) {
  hv_scanner_destroy(nullptr);
  EXPECT_EQ(hv_scanner_voucher_size(nullptr), 0u);
  EXPECT_EQ(hv_scanner_threshold(nullptr), 0u);
}

}  // namespace
}  // namespace hashveil::testing
