// How secret files come into being (issue 15 item 6): another local user who can write to the
// directory must not end up owning, reading or redirecting a key file. The old writer used the
// predictable name "<target>.tmp-<pid>", opened it without O_EXCL or O_NOFOLLOW and ignored a
// failed fchmod, so a planted temporary file or symbolic link took the secret.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "hashveil/common/secret_file.h"
#include "support/file_owner.h"

namespace hashveil {
namespace {

using testing::ModeOf;
using testing::OwnerOf;
using testing::PlantFile;

class SecretFileCreationTest : public testing::ScratchDirTest {
 protected:
  static std::string Text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // The temporary name the old writer used: anyone could predict it.
  static std::filesystem::path GuessedTemporary(const std::filesystem::path& target) {
    return target.string() + ".tmp-" + std::to_string(::getpid());
  }

  const std::vector<std::uint8_t> key_ = std::vector<std::uint8_t>(32, 0x5a);
};

TEST_F(SecretFileCreationTest, AForeignFileAtTheTemporaryNameNeverBecomesTheSecret) {
  HV_SKIP_UNLESS_ROOT();
  const auto path = dir_ / "server.key";
  PlantFile(GuessedTemporary(path), 0666, /*foreign=*/true);
  ASSERT_TRUE(WriteSecretFile(path, key_).ok());
  EXPECT_EQ(OwnerOf(path), ::geteuid());
  EXPECT_EQ(ModeOf(path), 0600u);
  // The planted file is left as it was: nothing secret went into it.
  EXPECT_EQ(Text(GuessedTemporary(path)), "planted");
}

TEST_F(SecretFileCreationTest, ASymlinkAtTheTemporaryNameIsNotFollowed) {
  const auto path = dir_ / "server.key";
  const auto victim = dir_ / "victim";
  PlantFile(victim, 0644, /*foreign=*/false, "victim");
  std::filesystem::create_symlink(victim, GuessedTemporary(path));
  ASSERT_TRUE(WriteSecretFile(path, key_).ok());
  EXPECT_EQ(Text(victim), "victim");
  EXPECT_FALSE(std::filesystem::is_symlink(path));
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(Text(path).size(), key_.size());
}

TEST_F(SecretFileCreationTest, ASymlinkAtTheTargetIsRefusedEvenWhenOverwriting) {
  const auto path = dir_ / "server.key";
  const auto victim = dir_ / "victim";
  PlantFile(victim, 0644, /*foreign=*/false, "victim");
  std::filesystem::create_symlink(victim, path);
  const Status written = WriteSecretFile(path, key_, /*overwrite=*/true);
  EXPECT_EQ(written.code(), StatusCode::kFailedPrecondition) << written.ToString();
  EXPECT_EQ(written.message().find(dir_.string()), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_symlink(path));
  EXPECT_EQ(Text(victim), "victim");
  // A dangling link too: the writer must not create the file it points to.
  const auto dangling = dir_ / "dangling.key";
  std::filesystem::create_symlink(dir_ / "elsewhere", dangling);
  EXPECT_EQ(WriteSecretFile(dangling, key_).code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "elsewhere"));
}

TEST_F(SecretFileCreationTest, AnotherUsersFileAtTheTargetIsRefusedEvenWhenOverwriting) {
  HV_SKIP_UNLESS_ROOT();
  const auto path = dir_ / "server.key";
  PlantFile(path, 0666, /*foreign=*/true);
  const Status written = WriteSecretFile(path, key_, /*overwrite=*/true);
  EXPECT_EQ(written.code(), StatusCode::kFailedPrecondition) << written.ToString();
  EXPECT_NE(written.message().find("another user"), std::string::npos) << written.ToString();
  EXPECT_EQ(Text(path), "planted");
  EXPECT_EQ(WriteSecretFile(path, key_).code(), StatusCode::kFailedPrecondition);
}

TEST_F(SecretFileCreationTest, OverwritingOurLooseFileLeavesAFresh0600File) {
  const auto path = dir_ / "report.json";
  PlantFile(path, 0666, /*foreign=*/false);
  ASSERT_TRUE(WriteSecretFile(path, key_, /*overwrite=*/true).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(OwnerOf(path), ::geteuid());
  EXPECT_EQ(Text(path).size(), key_.size());
}

TEST_F(SecretFileCreationTest, NoTemporaryFileIsLeftBehind) {
  const auto path = dir_ / "k";
  ASSERT_TRUE(WriteSecretFile(path, key_).ok());
  EXPECT_EQ(WriteSecretFile(path, key_).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(WriteFileAtomically(dir_ / "public", key_).ok());
  EXPECT_EQ(ModeOf(dir_ / "public"), 0644u);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"k", "public"}));
}

}  // namespace
}  // namespace hashveil
