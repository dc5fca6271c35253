#include "hashveil/common/secret_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace hashveil {
namespace {

class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hv-secret-file-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SecretFileTest, WritesMode0600AndReadsBack) {
  const std::vector<std::uint8_t> key(32, 7);
  const auto path = dir_ / "server.key";
  ASSERT_TRUE(WriteSecretFile(path, key).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<SecretBytes> read = ReadSecretFile(path, 32);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(ConstantTimeEqual(read->span(), key));
}

TEST_F(SecretFileTest, RefusesOverwriteUnlessAsked) {
  const std::vector<std::uint8_t> key(32, 1);
  const auto path = dir_ / "k";
  ASSERT_TRUE(WriteSecretFile(path, key).ok());
  EXPECT_EQ(WriteSecretFile(path, key).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(WriteSecretFile(path, key, /*overwrite=*/true).ok());
}

TEST_F(SecretFileTest, ReportsMissingAndWrongSizeWithoutThePath) {
  Result<SecretBytes> missing = ReadSecretFile(dir_ / "absent", 32);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message().find(dir_.string()), std::string::npos);
  const std::vector<std::uint8_t> short_key(31, 1);
  ASSERT_TRUE(WriteSecretFile(dir_ / "short", short_key).ok());
  EXPECT_EQ(ReadSecretFile(dir_ / "short", 32).status().code(), StatusCode::kInvalidInput);
}

TEST_F(SecretFileTest, BoundedReadRefusesLargeFiles) {
  const std::vector<std::uint8_t> data(100, 1);
  ASSERT_TRUE(WriteFileAtomically(dir_ / "data", data).ok());
  EXPECT_EQ(ReadFileBytes(dir_ / "data", 99).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ReadFileBytes(dir_ / "data", 100)->size(), 100u);
}

}  // namespace
}  // namespace hashveil
