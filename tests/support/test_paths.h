// Where tests find data that is not generated in the test itself.
#pragma once

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace hashveil::testing {

inline std::filesystem::path SourceDir() { return HASHVEIL_SOURCE_DIR; }

// Meta's PDQ conformance images and reference hashes, vendored in the repository
// (tests/vectors/pdq, ThreatExchange's BSD licence beside them).
inline std::filesystem::path PdqVectorsDir() { return SourceDir() / "tests" / "vectors" / "pdq"; }

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

// One row of tests/photos.tsv, the pinned photo set.
struct PinnedPhoto {
  std::string name;
  std::string package;  // the Debian package that installs it
  std::filesystem::path path;
  std::string sha256;  // lower-case hex
};

// The rows of tests/photos.tsv in the manifest's order ('#' lines are comments).
inline std::vector<PinnedPhoto> PhotoManifest() {
  std::vector<PinnedPhoto> rows;
  std::ifstream in(SourceDir() / "tests" / "photos.tsv");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::istringstream columns(line);
    for (std::string field; std::getline(columns, field, '\t');) fields.push_back(field);
    if (fields.size() == 4) rows.push_back({fields[0], fields[1], fields[2], fields[3]});
  }
  return rows;
}

// The SHA-256 of a file's bytes as lower-case hex, or "" when it cannot be read.
inline std::string FileSha256(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<char> chunk(1 << 16);
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(chunk.data()),
                              static_cast<unsigned long long>(in.gcount()));
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

// The pinned photos (tests/photos.tsv), in the manifest's order: the one place tests and
// benchmarks get real photos from. Each file is checked against its SHA-256 once per process.
// When one is missing or differs, returns nothing and sets `*problem` to a message naming the
// Debian packages to install; tests fail on it (HV_REQUIRE_PINNED_PHOTOS), they never skip.
inline const std::vector<std::filesystem::path>& PinnedPhotos(std::string* problem = nullptr) {
  static const auto checked = [] {
    std::pair<std::vector<std::filesystem::path>, std::string> result;
    std::set<std::string> missing, changed;
    const auto rows = PhotoManifest();
    for (const auto& row : rows) {
      const std::string sha256 = FileSha256(row.path);
      if (sha256.empty()) missing.insert(row.package);
      if (!sha256.empty() && sha256 != row.sha256) {
        changed.insert(row.path.string() + " (" + row.package + ")");
      }
      result.first.push_back(row.path);
    }
    std::string& message = result.second;
    if (rows.empty()) message = "tests/photos.tsv is missing or empty";
    for (const auto& package : missing) {
      message += "pinned photos of Debian package " + package + " are missing: run scripts/setup " +
                 "(or apt-get install " + package + "). ";
    }
    for (const auto& photo : changed) message += photo + " differs from tests/photos.tsv. ";
    if (!message.empty()) result.first.clear();
    return result;
  }();
  if (problem != nullptr) *problem = checked.second;
  return checked.first;
}

}  // namespace hashveil::testing

// Declares `var` as the pinned photos, or fails the test naming the Debian packages to install.
#define HV_REQUIRE_PINNED_PHOTOS(var)                                                   \
  std::string var##_problem;                                                            \
  [[maybe_unused]] const auto& var = ::hashveil::testing::PinnedPhotos(&var##_problem); \
  ASSERT_TRUE(var##_problem.empty()) << var##_problem
