// Replays, in the normal (and the ASan/UBSan) build, every input kept under
// tests/fuzz/regressions/<target>/ and tests/fuzz/corpus/<target>/, and the generated seed
// corpora, through the same entry points the libFuzzer binaries run. A crash or a broken
// invariant aborts this test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "fuzz/seed_corpus.h"
#include "hashveil/common/secret_file.h"
#include "support/test_paths.h"

namespace hashveil::fuzz {
namespace {

constexpr std::size_t kMaxInputBytes = std::size_t{16} << 20;

const FuzzTarget* FindTarget(const std::string& name) {
  for (const FuzzTarget& target : RegisteredTargets()) {
    if (target.name == name) return &target;
  }
  return nullptr;
}

std::vector<std::filesystem::path> FilesUnder(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().filename() != ".gitkeep") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Runs every file of every <root>/<target>/ folder; returns how many ran.
std::size_t ReplayFolders(const std::filesystem::path& root) {
  std::size_t replayed = 0;
  std::error_code ec;
  for (const auto& folder : std::filesystem::directory_iterator(root, ec)) {
    if (!folder.is_directory()) continue;
    const std::string name = folder.path().filename().string();
    const FuzzTarget* target = FindTarget(name);
    EXPECT_NE(target, nullptr) << "no fuzz target named '" << name << "' for folder " << folder.path();
    if (target == nullptr) continue;
    for (const auto& file : FilesUnder(folder.path())) {
      SCOPED_TRACE(file.string());
      auto bytes = ReadFileBytes(file, kMaxInputBytes);
      EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
      if (!bytes.ok()) continue;
      target->entry(*bytes);
      ++replayed;
    }
  }
  return replayed;
}

TEST(FuzzRegressionTest, TargetNamesAreUnique) {
  std::set<std::string> names;
  for (const FuzzTarget& target : RegisteredTargets()) {
    EXPECT_TRUE(names.insert(std::string(target.name)).second) << target.name;
  }
  EXPECT_GE(names.size(), 7u);
}

TEST(FuzzRegressionTest, ReplaysEveryKeptCrasher) {
  ReplayFolders(testing::SourceDir() / "tests" / "fuzz" / "regressions");
}

TEST(FuzzRegressionTest, ReplaysTheCommittedCorpus) {
  EXPECT_GT(ReplayFolders(testing::SourceDir() / "tests" / "fuzz" / "corpus"), 0u);
}

// The generated seeds are valid files: every target must accept its seeds without a finding,
// and each target gets at least one.
TEST(FuzzRegressionTest, ReplaysTheGeneratedSeeds) {
  const auto root = std::filesystem::temp_directory_path() /
                    ("hv-fuzz-seeds-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  const Status written = WriteSeedCorpus(root);
  ASSERT_TRUE(written.ok()) << written.ToString();
  for (const FuzzTarget& target : RegisteredTargets()) {
    EXPECT_FALSE(FilesUnder(root / target.name).empty()) << "no seeds for " << target.name;
  }
  EXPECT_GT(ReplayFolders(root), 0u);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace hashveil::fuzz
