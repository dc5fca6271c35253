// The marker that lets Scanner::Create skip the DB's point checks on a file this account's device
// checked before (api/db_check_marker.h, docs/api.md "Start-up").
#include "db_check_marker.h"

#include <gtest/gtest.h>

#include <fstream>

#include "hashveil/common/secret_file.h"
#include "scanner_fixture.h"

namespace hashveil::testing {
namespace {

using DbCheckMarkerTest = ScannerTest;

hashdb::Digest DigestOf(const std::filesystem::path& db, const hashdb::PublisherPublicKey& key) {
  return hashdb::ClientDb::Load(db, key).value()->digest();
}

TEST_F(DbCheckMarkerTest, CreateRecordsTheCheckedDigestOwnerOnly) {
  const std::filesystem::path marker_path = dir_ / "phone.state.dbcheck";
  EXPECT_FALSE(std::filesystem::exists(marker_path));
  ASSERT_NE(MakeScanner("phone"), nullptr);
  ASSERT_TRUE(std::filesystem::exists(marker_path));
  EXPECT_EQ(FilePermissions(marker_path).value(), 0600u);
  const DbCheckMarker marker(dir_ / "phone.state", AccountKey("phone"));
  const hashdb::Digest digest = DigestOf(db_path_, publisher_.public_key);
  EXPECT_TRUE(marker.Covers(digest));

  // Another DB file (a new epoch): not covered until a Create has checked it.
  const auto newer = BuildNewerDb(scanner_db_epoch() + 1, kThreshold, "newer");
  const hashdb::Digest newer_digest = DigestOf(newer, publisher_.public_key);
  EXPECT_FALSE(marker.Covers(newer_digest));
  ScannerOptions options = Options("phone");
  options.db_path = newer;
  ASSERT_TRUE(Scanner::Create(options).ok());
  EXPECT_TRUE(marker.Covers(newer_digest));
  EXPECT_FALSE(marker.Covers(digest));  // one marker: the file the device uses now
}

TEST_F(DbCheckMarkerTest, OnlyTheAccountKeyMakesAMarkerThatCovers) {
  ASSERT_NE(MakeScanner("phone"), nullptr);
  const hashdb::Digest digest = DigestOf(db_path_, publisher_.public_key);
  // Another key reading the same marker file: no.
  EXPECT_FALSE(DbCheckMarker(dir_ / "phone.state", AccountKey("laptop")).Covers(digest));
  // An altered tag, or a marker cut short: no; and Create still works (it checks the points).
  const std::filesystem::path marker_path = dir_ / "phone.state.dbcheck";
  auto bytes = ReadFileBytes(marker_path, 1024).value();
  bytes.back() ^= 1;
  ASSERT_TRUE(WriteSecretFile(marker_path, bytes, /*overwrite=*/true).ok());
  const DbCheckMarker marker(dir_ / "phone.state", AccountKey("phone"));
  EXPECT_FALSE(marker.Covers(digest));
  bytes.pop_back();
  ASSERT_TRUE(WriteSecretFile(marker_path, bytes, /*overwrite=*/true).ok());
  EXPECT_FALSE(marker.Covers(digest));
  ASSERT_NE(MakeScanner("phone"), nullptr);
  EXPECT_TRUE(marker.Covers(digest));  // rewritten after the full check
}

}  // namespace
}  // namespace hashveil::testing
