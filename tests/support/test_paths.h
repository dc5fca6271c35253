// Where tests find data that is not generated in the test itself.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hashveil::testing {

// ../shared beside the source tree, when present (always in CI; absent in a fresh clone elsewhere).
inline std::optional<std::filesystem::path> SharedDir() {
  const std::filesystem::path dir = HASHVEIL_SHARED_DIR;
  std::error_code ec;
  if (std::filesystem::is_directory(dir / "vectors" / "pdq", ec)) return dir;
  return std::nullopt;
}

// A fresh, empty scratch folder named after the running test (and the process, so parallel
// ctest runs never share one): `<tmp>/<prefix>-<pid>-<suite>-<test>`. The caller removes it.
inline std::filesystem::path FreshDirForCurrentTest(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      (prefix + "-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" +
       info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::filesystem::path SourceDir() { return HASHVEIL_SOURCE_DIR; }

// Real photos from Debian packages that scripts/setup installs (lomiri-wallpapers-16.04: large
// JPEGs; palapeli-data: smaller ones). Sorted, so tests are deterministic.
inline std::vector<std::filesystem::path> RealPhotos() {
  std::vector<std::filesystem::path> photos;
  for (const char* dir : {"/usr/share/backgrounds", "/usr/share/palapeli/collection"}) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const auto ext = entry.path().extension();
      if (entry.is_regular_file() && (ext == ".jpg" || ext == ".jpeg")) photos.push_back(entry.path());
    }
  }
  std::sort(photos.begin(), photos.end());
  return photos;
}

}  // namespace hashveil::testing

// Declares `var` as the shared/ path, or skips the test with a message when it is absent.
#define HV_REQUIRE_SHARED_DIR(var)                                                     \
  const auto var##_optional = ::hashveil::testing::SharedDir();                        \
  if (!var##_optional) GTEST_SKIP() << "../shared/vectors/pdq not found beside the "    \
                                       "source tree; skipping conformance test";        \
  const std::filesystem::path var = *var##_optional

// Declares `var` as the real photos, or skips when the Debian photo packages are absent.
#define HV_REQUIRE_REAL_PHOTOS(var)                                                    \
  const auto var = ::hashveil::testing::RealPhotos();                                  \
  if (var.size() < 5) GTEST_SKIP() << "real photos not installed (run scripts/setup)"
