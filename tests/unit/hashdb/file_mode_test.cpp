// The publisher's sensitive outputs are owner-only (issue 15 item 8): the auditor proof lists
// every published match key, and the source store holds the original hashes of every list and
// where each came from, so both are 0600 like the keys (docs/threat-model.md, "Files and modes").
#include <gtest/gtest.h>
#include <unistd.h>

#include "hashveil/hashdb/db_proof.h"
#include "hashveil/hashdb/source_store.h"
#include "support/file_owner.h"

namespace hashveil::hashdb {
namespace {

using testing::ModeOf;
using testing::PlantFile;

class PublisherFileModeTest : public testing::ScratchDirTest {};

TEST_F(PublisherFileModeTest, SourceStoreAndItsWalAndShmAre0600) {
  const auto path = dir_ / "store.sqlite";
  auto store = SourceStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::array<std::uint8_t, 32> bits{};
  bits.fill(0xa5);
  const std::vector<HashRecord> records = {{matcher::PdqHash::FromBytes(bits), 90}};
  ASSERT_TRUE((*store)->ImportHashes({"list", "Org", "US"}, records, {}).ok());
  EXPECT_GE(ExpectEveryFileOwnerOnly(), 2);  // the store and at least its WAL while open
}

TEST_F(PublisherFileModeTest, AnOlderBuildsSourceStoreIsTightenedToOwnerOnly) {
  const auto path = dir_ / "store.sqlite";
  ASSERT_TRUE(SourceStore::Open(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(SourceStore::Open(path).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
}

TEST_F(PublisherFileModeTest, AnotherUsersSourceStoreIsRefused) {
  HV_SKIP_UNLESS_ROOT();
  const auto path = dir_ / "store.sqlite";
  PlantFile(path, 0666, /*foreign=*/true, "");
  ExpectRefused(SourceStore::Open(path).status(), "owned by another user");
}

TEST_F(PublisherFileModeTest, TheAuditorProofIs0600EvenOverAnOlderOne) {
  const auto path = dir_ / "client.hvdb.proof";
  ASSERT_TRUE(SaveDbProof(DbProof{}, path).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(SaveDbProof(DbProof{}, path).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
}

TEST_F(PublisherFileModeTest, TheAuditorProofIsNotWrittenThroughASymlink) {
  PlantFile(dir_ / "victim", 0644, /*foreign=*/false, "victim");
  std::filesystem::create_symlink(dir_ / "victim", dir_ / "client.hvdb.proof");
  EXPECT_EQ(SaveDbProof(DbProof{}, dir_ / "client.hvdb.proof").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::filesystem::file_size(dir_ / "victim"), 6u);
}

}  // namespace
}  // namespace hashveil::hashdb
