// The SQLite files of the account state (the device's secrets) and of the share store (every
// account's candidates) are opened by name, so they may already exist when we come: another
// user's file is refused, a symbolic link is not followed, and a file of ours left readable by
// others (an older build created the share store with the umask's 0644) ends up 0600 with its
// -wal, -shm and -journal companions (issue 15 item 6; docs/threat-model.md, "Files and modes").
#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

#include "account_state_file.h"
#include "hashveil/psi/share_store.h"
#include "support/file_owner.h"

namespace hashveil::psi {
namespace {

using testing::ModeOf;
using testing::PlantFile;

class StoreFileModeTest : public testing::ScratchDirTest {};

TEST_F(StoreFileModeTest, AccountStateOfAnotherUserIsRefused) {
  HV_SKIP_UNLESS_ROOT();
  const auto path = dir_ / "account.state";
  PlantFile(path, 0666, /*foreign=*/true, "");
  ExpectRefused(AccountStateFile::Open(path).status(), "owned by another user");
  EXPECT_EQ(ModeOf(path), 0666u);
  EXPECT_EQ(std::filesystem::file_size(path), 0u);
}

TEST_F(StoreFileModeTest, OurLooseAccountStateEndsUp0600WithItsJournal) {
  const auto path = dir_ / "account.state";
  PlantFile(path, 0644, /*foreign=*/false, "");
  PlantFile(dir_ / "account.state-journal", 0644, /*foreign=*/false, "");
  auto file = AccountStateFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const std::vector<std::uint8_t> sealed(64, 3);
  ASSERT_TRUE((*file)->WriteSealed(sealed).ok());
  EXPECT_GE(ExpectEveryFileOwnerOnly(), 1);
}

TEST_F(StoreFileModeTest, AccountStateThroughASymlinkIsRefused) {
  const auto victim = dir_ / "victim";
  PlantFile(victim, 0644, /*foreign=*/false, "");
  std::filesystem::create_symlink(victim, dir_ / "account.state");
  ExpectRefused(AccountStateFile::Open(dir_ / "account.state").status(), "symbolic link");
  EXPECT_EQ(std::filesystem::file_size(victim), 0u);
  EXPECT_EQ(ModeOf(victim), 0644u);
}

TEST_F(StoreFileModeTest, ShareStoreOfAnotherUserIsRefused) {
  HV_SKIP_UNLESS_ROOT();
  const auto path = dir_ / "server.sqlite";
  PlantFile(path, 0666, /*foreign=*/true, "");
  ExpectRefused(ShareStore::Open(path).status(), "owned by another user");
  EXPECT_EQ(ModeOf(path), 0666u);
}

TEST_F(StoreFileModeTest, ShareStoreWithAnotherUsersWalIsRefused) {
  HV_SKIP_UNLESS_ROOT();
  const auto path = dir_ / "server.sqlite";
  PlantFile(path, 0600, /*foreign=*/false, "");
  PlantFile(dir_ / "server.sqlite-wal", 0666, /*foreign=*/true, "");
  ExpectRefused(ShareStore::Open(path).status(), "owned by another user");
}

TEST_F(StoreFileModeTest, OurLooseShareStoreEndsUp0600WithItsWalAndShm) {
  const auto path = dir_ / "server.sqlite";
  {
    auto store = ShareStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
  }
  // As an older build left it: the store and its companions readable by everyone.
  PlantFile(dir_ / "server.sqlite-wal", 0644, /*foreign=*/false, "");
  PlantFile(dir_ / "server.sqlite-shm", 0644, /*foreign=*/false, "");
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto store = ShareStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->ListAccounts().ok());
  EXPECT_GE(ExpectEveryFileOwnerOnly(), 1);
}

TEST_F(StoreFileModeTest, ShareStoreThroughASymlinkIsRefused) {
  const auto victim = dir_ / "victim";
  PlantFile(victim, 0644, /*foreign=*/false, "");
  std::filesystem::create_symlink(victim, dir_ / "server.sqlite");
  ExpectRefused(ShareStore::Open(dir_ / "server.sqlite").status(), "symbolic link");
  EXPECT_EQ(std::filesystem::file_size(victim), 0u);
}

}  // namespace
}  // namespace hashveil::psi
