// Files planted by another local user, for the tests of how secret and sensitive files are
// created (issue 15 item 6): only root can give a file to another user, so those tests skip
// elsewhere (CI runs them as root).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "hashveil/common/status.h"

// Skips the calling test unless it can chown files (runs as root).
#define HV_SKIP_UNLESS_ROOT()                                                                    \
  if (::geteuid() != 0) {                                                                        \
    GTEST_SKIP() << "needs root to give a file to another user (uid 65534); CI runs as root"; \
  }                                                                                              \
  static_assert(true)

namespace hashveil::testing {

// The user a planted file belongs to: `nobody` on Debian and Alpine alike.
inline constexpr uid_t kOtherUser = 65534;

// Permission bits (07777) of `path` itself, not of what a symbolic link points to.
inline std::uint32_t ModeOf(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << "no file at " << path;
  return st.st_mode & 07777;
}

inline uid_t OwnerOf(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << "no file at " << path;
  return st.st_uid;
}

// Creates `path` holding `content` with exactly `mode`, owned by kOtherUser when `foreign`
// (the caller has checked it runs as root), else by us.
inline void PlantFile(const std::filesystem::path& path, mode_t mode, bool foreign,
                      std::string_view content = "planted") {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  ASSERT_EQ(::fchmod(fd, mode), 0);
  if (foreign) {
    ASSERT_EQ(::fchown(fd, kOtherUser, kOtherUser), 0);
  }
  ::close(fd);
}

// A fresh directory per test, removed afterwards, for tests that plant files in it.
class ScratchDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("hv-" + std::string(test->test_suite_name()) + "-" + std::to_string(::getpid()) + "-" +
            test->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A refusal is kFailedPrecondition, says `reason` and never names the path.
  void ExpectRefused(const Status& status, std::string_view reason) const {
    EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
    EXPECT_NE(status.message().find(reason), std::string::npos) << status.ToString();
    EXPECT_EQ(status.message().find(dir_.string()), std::string::npos) << status.ToString();
  }

  // Expects every file in the directory (a store and the companions SQLite made) to be 0600;
  // returns how many there are.
  int ExpectEveryFileOwnerOnly() const {
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      ++files;
      EXPECT_EQ(ModeOf(entry.path()), 0600u) << entry.path().filename();
    }
    return files;
  }

  std::filesystem::path dir_;
};

}  // namespace hashveil::testing
