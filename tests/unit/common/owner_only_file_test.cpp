// Files a library opens by name (SQLite's databases and their -wal, -shm and -journal
// companions): EnsureOwnerOnlyFile creates them 0600 or takes over only files that are ours,
// clearing group and other bits (issue 15 item 6; docs/threat-model.md, "Files and modes").
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hashveil/common/secret_file.h"
#include "support/file_owner.h"

namespace hashveil {
namespace {

using testing::ModeOf;
using testing::OwnerOf;
using testing::PlantFile;

class OwnerOnlyFileTest : public testing::ScratchDirTest {};

TEST_F(OwnerOnlyFileTest, CreatesAnAbsentFileEmptyAnd0600) {
  const auto path = dir_ / "store.sqlite";
  ASSERT_TRUE(EnsureOwnerOnlyFile(path).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(OwnerOf(path), ::geteuid());
  EXPECT_EQ(std::filesystem::file_size(path), 0u);
  EXPECT_EQ(FilePermissions(path).value(), 0600u);
}

TEST_F(OwnerOnlyFileTest, TightensOurLooseFileAndKeepsItsContent) {
  const auto path = dir_ / "store.sqlite";
  PlantFile(path, 0664, /*foreign=*/false, "content");
  ASSERT_TRUE(EnsureOwnerOnlyFile(path).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(std::filesystem::file_size(path), 7u);
}

TEST_F(OwnerOnlyFileTest, RefusesAnotherUsersFileAndLeavesItAlone) {
  HV_SKIP_UNLESS_ROOT();
  const auto path = dir_ / "store.sqlite";
  PlantFile(path, 0666, /*foreign=*/true);
  ExpectRefused(EnsureOwnerOnlyFile(path), "owned by another user");
  EXPECT_EQ(ModeOf(path), 0666u);
  EXPECT_EQ(OwnerOf(path), testing::kOtherUser);
}

TEST_F(OwnerOnlyFileTest, RefusesSymbolicLinksAndNonRegularFiles) {
  const auto victim = dir_ / "victim";
  PlantFile(victim, 0644, /*foreign=*/false);
  std::filesystem::create_symlink(victim, dir_ / "link.sqlite");
  ExpectRefused(EnsureOwnerOnlyFile(dir_ / "link.sqlite"), "symbolic link");
  EXPECT_EQ(ModeOf(victim), 0644u);
  std::filesystem::create_symlink(dir_ / "nowhere", dir_ / "dangling.sqlite");
  EXPECT_EQ(EnsureOwnerOnlyFile(dir_ / "dangling.sqlite").code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "nowhere"));
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  ExpectRefused(EnsureOwnerOnlyFile(dir_ / "fifo"), "not a regular file");
}

TEST_F(OwnerOnlyFileTest, ADatabasesCompanionsAreCheckedToo) {
  const auto path = dir_ / "store.sqlite";
  PlantFile(path, 0644, /*foreign=*/false);
  PlantFile(dir_ / "store.sqlite-wal", 0644, /*foreign=*/false);
  ASSERT_TRUE(EnsureOwnerOnlyDatabase(path).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(dir_ / "store.sqlite-wal"), 0600u);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "store.sqlite-shm"));  // absent ones stay absent
  std::filesystem::create_symlink(dir_ / "elsewhere", dir_ / "store.sqlite-journal");
  const Status refused = EnsureOwnerOnlyDatabase(path);
  ExpectRefused(refused, "symbolic link");
  EXPECT_NE(refused.message().find("-journal"), std::string::npos) << refused.ToString();
}

TEST_F(OwnerOnlyFileTest, AnotherUsersCompanionIsRefused) {
  HV_SKIP_UNLESS_ROOT();
  const auto path = dir_ / "store.sqlite";
  ASSERT_TRUE(EnsureOwnerOnlyFile(path).ok());
  PlantFile(dir_ / "store.sqlite-shm", 0666, /*foreign=*/true);
  ExpectRefused(EnsureOwnerOnlyDatabase(path), "owned by another user");
}

TEST_F(OwnerOnlyFileTest, PermissionsAreReadFromTheFileNotALink) {
  EXPECT_EQ(FilePermissions(dir_ / "absent").status().code(), StatusCode::kNotFound);
  const std::vector<std::uint8_t> key(32, 1);
  ASSERT_TRUE(WriteSecretFile(dir_ / "k", key).ok());
  EXPECT_EQ(FilePermissions(dir_ / "k").value(), 0600u);
}

}  // namespace
}  // namespace hashveil
