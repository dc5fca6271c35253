// `hashveil db import` through the real binary (docs/design.md section 9): two overlapping hash
// lists into one store, idempotent re-imports, a refused list, --skip-bad, an image folder, and the
// exit codes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "hashveil/hashdb/source_store.h"
#include "support/cli_runner.h"
#include "support/synthetic_hashes.h"
#include "support/test_paths.h"

namespace hashveil {
namespace {

namespace fs = std::filesystem;

class DbImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "hv-db-import-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  testing::CliRun Import(const std::string& source, const std::string& jurisdiction,
                         const std::string& inputs, const std::string& extra = "") const {
    return testing::RunCli(HASHVEIL_BINARY,
                           "db import --store " + Store().string() + " --source " + source +
                               " --jurisdiction " + jurisdiction + " " + extra + " " + inputs,
                           dir_ / "stderr");
  }
  fs::path Store() const { return dir_ / "store.sqlite"; }

  std::vector<hashdb::SourceSummary> Sources() const {
    auto store = hashdb::SourceStore::Open(Store());
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return {};
    auto sources = (*store)->ListSources();
    EXPECT_TRUE(sources.ok());
    return sources.ok() ? *sources : std::vector<hashdb::SourceSummary>{};
  }

  fs::path dir_;
};

TEST_F(DbImportTest, TwoOverlappingListsMeetInThePolicy) {
  const fs::path us = dir_ / "us.csv", gb = dir_ / "gb.csv";
  ASSERT_TRUE(testing::WriteOverlappingHashLists(us, gb, 200, 5));

  const auto first = Import("us-list", "US", us.string(), "--organisation Org-US");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(
      first.out,
      "input=1 lines=200 imported=200 skipped=0 already_imported=no revision=1 format=hex-lines\n");
  const auto second = Import("gb-list", "gb", gb.string());
  ASSERT_EQ(second.exit_code, 0) << second.err;

  const auto again = Import("us-list", "US", us.string(), "--organisation Org-US");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(
      again.out,
      "input=1 lines=200 imported=0 skipped=0 already_imported=yes revision=0 format=hex-lines\n");

  const auto sources = Sources();
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].info.name, "gb-list");
  EXPECT_EQ(sources[0].info.jurisdiction, "GB");
  EXPECT_EQ(sources[1].info.organisation, "Org-US");
  EXPECT_EQ(sources[1].hash_count, 200u);
  EXPECT_EQ(sources[1].import_count, 1u);

  auto store = hashdb::SourceStore::Open(Store());
  ASSERT_TRUE(store.ok());
  auto included = (*store)->ComputeIncludedSet(hashdb::InclusionPolicy{}, nullptr);
  ASSERT_TRUE(included.ok()) << included.status().ToString();
  EXPECT_EQ(included->entries.size(), 100u);  // the half of the lists within distance 31
}

TEST_F(DbImportTest, ABadLineRefusesTheListUnlessSkipped) {
  std::mt19937_64 rng(3);
  const std::string hidden = "0123456789abcdef";
  std::ofstream(dir_ / "list.txt") << testing::RandomPdqHash(rng).ToHex() << "\n#\n"
                                   << hidden << "\n"
                                   << testing::RandomPdqHash(rng).ToHex() << "\n";
  const auto refused = Import("list", "US", (dir_ / "list.txt").string());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.out, "");
  // Named by position, never by path or the line's content.
  EXPECT_NE(refused.err.find("input 1: invalid"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find("list.txt"), std::string::npos);
  EXPECT_NE(refused.err.find("line 3"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find(hidden), std::string::npos);
  EXPECT_TRUE(Sources().empty());

  const auto skipped = Import("list", "US", (dir_ / "list.txt").string(), "--skip-bad");
  EXPECT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_EQ(
      skipped.out,
      "input=1 lines=4 imported=2 skipped=1 already_imported=no revision=1 format=hex-lines\n");
  EXPECT_NE(skipped.err.find("skipped 1 bad lines or images: 3"), std::string::npos) << skipped.err;
}

TEST_F(DbImportTest, AFailedInputDoesNotStopTheOthers) {
  std::mt19937_64 rng(4);
  std::ofstream(dir_ / "good.txt") << testing::RandomPdqHash(rng).ToHex() << "\n";
  const auto run = Import("list", "US", (dir_ / "absent.txt").string() + " " +
                                            (dir_ / "good.txt").string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("input 1: not found"), std::string::npos) << run.err;
  EXPECT_EQ(
      run.out,
      "input=2 lines=1 imported=1 skipped=0 already_imported=no revision=1 format=hex-lines\n");
}

// Issue 16, item 6: an input that imports nothing new (an empty list, a list whose every line
// was skipped, hashes the source already holds) is a failure, exit 1, said on stderr.
TEST_F(DbImportTest, AnInputThatImportsNothingExitsOne) {
  std::mt19937_64 rng(5);
  std::ofstream(dir_ / "empty.txt") << "";
  std::ofstream(dir_ / "bad.txt") << "not a hash\n";
  const std::string hash = testing::RandomPdqHash(rng).ToHex();
  std::ofstream(dir_ / "one.txt") << hash << "\n";
  std::ofstream(dir_ / "same-hash.csv") << "hash\n" << hash << "\n";
  const auto empty = Import("list", "US", (dir_ / "empty.txt").string());
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("input 1: nothing imported"), std::string::npos) << empty.err;
  EXPECT_EQ(Import("list", "US", "--skip-bad " + (dir_ / "bad.txt").string()).exit_code, 1);
  EXPECT_EQ(Import("list", "US", (dir_ / "one.txt").string()).exit_code, 0);
  EXPECT_EQ(Import("list", "US", (dir_ / "one.txt").string()).exit_code, 0);  // already imported
  EXPECT_EQ(Import("list", "US", (dir_ / "same-hash.csv").string()).exit_code, 1);
}

// Issue 16, item 3: a list owner's new list replaces the old one (a hash dropped upstream is
// dropped here), a hash or a whole source is removed, and the store lists its sources and every
// change, through the real binary.
TEST_F(DbImportTest, ReplaceRemoveAndListThroughTheCli) {
  std::mt19937_64 rng(6);
  std::vector<std::string> hashes;
  for (int i = 0; i < 4; ++i) hashes.push_back(testing::RandomPdqHash(rng).ToHex());
  std::ofstream(dir_ / "v1.txt") << hashes[0] << "\n" << hashes[1] << "\n" << hashes[2] << "\n";
  std::ofstream(dir_ / "v2.txt") << hashes[1] << "\n" << hashes[2] << "\n" << hashes[3] << "\n";
  ASSERT_EQ(Import("ncmec", "US", (dir_ / "v1.txt").string()).exit_code, 0);
  const auto replaced = Import("ncmec", "US", (dir_ / "v2.txt").string(), "--replace");
  EXPECT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_EQ(replaced.out,
            "input=1 lines=3 imported=1 skipped=0 already_imported=no removed=1 revision=2 "
            "format=hex-lines\n");
  const auto unchanged = Import("ncmec", "US", (dir_ / "v2.txt").string(), "--replace");
  EXPECT_EQ(unchanged.exit_code, 0);
  EXPECT_EQ(unchanged.out,
            "input=1 lines=3 imported=0 skipped=0 already_imported=yes removed=0 revision=0 "
            "format=hex-lines\n");
  EXPECT_EQ(Import("ncmec", "US", (dir_ / "v1.txt").string() + " " + (dir_ / "v2.txt").string(),
                   "--replace")
                .exit_code,
            2);  // a replacement is one whole list

  const std::string store = " --store " + Store().string();
  auto run = testing::RunCli(
      HASHVEIL_BINARY,
      "db remove" + store + " --source ncmec --hash " + hashes[3] + " --reason false-positive",
      dir_ / "stderr");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "removed=1 not_held=0 revision=3\n");
  run = testing::RunCli(HASHVEIL_BINARY, "db remove" + store + " --hash " + hashes[0],
                        dir_ / "stderr");
  EXPECT_EQ(run.exit_code, 1);  // no longer held by any source
  EXPECT_NE(run.err.find("nothing removed"), std::string::npos) << run.err;
  EXPECT_EQ(
      testing::RunCli(HASHVEIL_BINARY, "db remove" + store + " --all", dir_ / "stderr").exit_code,
      2);  // --all needs --source

  run = testing::RunCli(HASHVEIL_BINARY, "db sources" + store, dir_ / "stderr");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "jurisdiction=US hashes=2 imports=2 removed=2 last_revision=3 source=\"ncmec\" "
            "organisation=\"\"\n");
  run = testing::RunCli(HASHVEIL_BINARY, "db history" + store, dir_ / "stderr");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("action=import added=3 removed=0 source=\"ncmec\" reason=\"\"\n"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("action=replace added=1 removed=1 source=\"ncmec\""), std::string::npos);
  EXPECT_NE(run.out.find("revision=3 at="), std::string::npos);
  EXPECT_NE(run.out.find("action=remove-hashes added=0 removed=1 source=\"ncmec\" "
                         "reason=\"false-positive\"\n"),
            std::string::npos)
      << run.out;

  // Readers never create a store.
  run = testing::RunCli(HASHVEIL_BINARY, "db sources --store " + (dir_ / "typo.sqlite").string(),
                        dir_ / "stderr");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_FALSE(fs::exists(dir_ / "typo.sqlite"));
}

TEST_F(DbImportTest, UsageErrorsExitWithTwo) {
  const auto run = testing::RunCli(HASHVEIL_BINARY, "db import --store " + Store().string() + " x",
                                   dir_ / "stderr");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(Import("list", "US", "").exit_code, 2);  // no input
}

TEST_F(DbImportTest, HashesAnImageFolder) {
  HV_REQUIRE_PINNED_PHOTOS(pinned);
  std::vector<fs::path> photos;  // palapeli-data's: the smallest, so the import stays quick
  for (const auto& photo : pinned) {
    if (photo.string().find("/palapeli/") != std::string::npos) photos.push_back(photo);
  }
  ASSERT_GE(photos.size(), 3u);
  const fs::path folder = dir_ / "images";
  fs::create_directories(folder / "sub");
  fs::create_symlink(photos[0], folder / "a.jpg");
  fs::create_symlink(photos[1], folder / "sub" / "b.jpg");
  fs::create_symlink(photos[2], folder / "c.JPG");
  std::ofstream(folder / "notes.txt") << "not an image, not looked at\n";
  std::ofstream(folder / "broken.png") << "not a png";

  const auto refused = Import("photos", "DE", folder.string());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("image 2 of 4"), std::string::npos) << refused.err;  // sorted paths
  EXPECT_TRUE(Sources().empty());

  const auto imported = Import("photos", "DE", folder.string(), "--skip-bad");
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(imported.out,
            "input=1 lines=4 imported=3 skipped=1 already_imported=no revision=1 format=images\n");
  const auto again = Import("photos", "DE", folder.string(), "--skip-bad");
  EXPECT_EQ(again.out,
            "input=1 lines=4 imported=0 skipped=1 already_imported=yes revision=0 format=images\n");
  const auto sources = Sources();
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].hash_count, 3u);
}

}  // namespace
}  // namespace hashveil
