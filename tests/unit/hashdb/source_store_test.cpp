#include "hashveil/hashdb/source_store.h"

#include <gtest/gtest.h>

#include "source_store_fixture.h"
#include "source_store_schema.h"
#include "sqlite_db.h"

namespace hashveil::hashdb {
namespace {

using matcher::PdqHash;

TEST_F(SourceStoreTest, ImportsAListAndReimportingItIsANoOp) {
  const std::vector<PdqHash> hashes = {testing::RandomPdqHash(rng_), testing::RandomPdqHash(rng_)};
  const auto list = WriteList("a.txt", "# header comment\n" + Lines(hashes, ",90,img.jpg"));

  auto first = store_->ImportHashList(kUs, list, {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->lines_read, 3u);
  EXPECT_EQ(first->hashes_imported, 2u);
  EXPECT_FALSE(first->already_imported);

  auto again = store_->ImportHashList(kUs, list, {});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_imported);
  EXPECT_EQ(again->hashes_imported, 0u);

  // The same hashes in another file add nothing new to the source: no revision, no import.
  auto copy = store_->ImportHashList(kUs, WriteList("b.txt", Lines(hashes)), {});
  ASSERT_TRUE(copy.ok());
  EXPECT_FALSE(copy->already_imported);
  EXPECT_EQ(copy->hashes_imported, 0u);
  EXPECT_EQ(copy->revision, 0u);

  const auto sources = Sources();
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].info.name, "us-list");
  EXPECT_EQ(sources[0].hash_count, 2u);
  EXPECT_EQ(sources[0].import_count, 1u);
}

TEST_F(SourceStoreTest, ABadLineRefusesTheWholeFile) {
  const auto list = WriteList("bad.txt", Lines({testing::RandomPdqHash(rng_)}) + "0123abc\n" +
                                             Lines({testing::RandomPdqHash(rng_)}));
  auto report = store_->ImportHashList(kUs, list, {});
  ASSERT_EQ(report.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(report.status().message().find("line 2"), std::string::npos);
  EXPECT_EQ(report.status().message().find("0123abc"), std::string::npos);
  EXPECT_EQ(report.status().message().find("bad.txt"), std::string::npos);
  EXPECT_TRUE(Sources().empty());  // not even the source was created

  ImportOptions skip;
  skip.skip_bad_lines = true;
  auto skipped = store_->ImportHashList(kUs, list, skip);
  ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
  EXPECT_EQ(skipped->hashes_imported, 2u);
  EXPECT_EQ(skipped->lines_skipped, 1u);
  EXPECT_EQ(skipped->skipped_line_numbers, std::vector<std::uint64_t>{2});
}

TEST_F(SourceStoreTest, ASourceKeepsItsOrganisationAndJurisdiction) {
  ASSERT_TRUE(store_->ImportHashList(kUs, WriteList("a.txt", Lines({testing::RandomPdqHash(rng_)})), {}).ok());
  SourceInfo moved = kUs;
  moved.jurisdiction = "FR";
  auto report = store_->ImportHashList(moved, WriteList("b.txt", Lines({testing::RandomPdqHash(rng_)})), {});
  EXPECT_EQ(report.status().code(), StatusCode::kFailedPrecondition);

  SourceInfo bad = kUs;
  bad.jurisdiction = "USA";
  EXPECT_EQ(store_->ImportHashList(bad, WriteList("c.txt", ""), {}).status().code(),
            StatusCode::kInvalidInput);
  bad = kUs;
  bad.name = "";
  EXPECT_EQ(store_->ImportHashList(bad, WriteList("d.txt", ""), {}).status().code(),
            StatusCode::kInvalidInput);
}

TEST_F(SourceStoreTest, MissingFileIsNotFound) {
  EXPECT_EQ(store_->ImportHashList(kUs, dir_ / "absent.txt", {}).status().code(),
            StatusCode::kNotFound);
}

TEST_F(SourceStoreTest, ComputesTheIncludedSetAcrossSources) {
  std::vector<PdqHash> us, gb;
  for (int i = 0; i < 50; ++i) us.push_back(testing::RandomPdqHash(rng_));
  for (int i = 0; i < 20; ++i) gb.push_back(testing::NearDuplicate(us[i], 20, rng_));
  for (int i = 0; i < 30; ++i) gb.push_back(testing::RandomPdqHash(rng_));
  gb.push_back(us[49]);  // an exact copy too
  ASSERT_TRUE(store_->ImportHashList(kUs, WriteList("us.txt", Lines(us, ",80")), {}).ok());
  ASSERT_TRUE(store_->ImportHashList(kGb, WriteList("gb.txt", Lines(gb)), {}).ok());

  std::vector<std::uint64_t> progress;
  auto included = store_->ComputeIncludedSet(
      InclusionPolicy{}, [&](std::uint64_t done, std::uint64_t) { progress.push_back(done); });
  ASSERT_TRUE(included.ok()) << included.status().ToString();
  ASSERT_EQ(included->entries.size(), 21u);
  EXPECT_FALSE(progress.empty());
  for (const auto& entry : included->entries) {
    EXPECT_EQ(entry.sources, (std::vector<std::string>{"gb-list", "us-list"}));
  }
  // Deterministic, and the store-level view equals a second computation.
  auto again = store_->ComputeIncludedSet(InclusionPolicy{}, nullptr);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->entries.size(), included->entries.size());
  for (std::size_t i = 0; i < again->entries.size(); ++i) {
    EXPECT_EQ(again->entries[i].hash, included->entries[i].hash);
  }
}

TEST_F(SourceStoreTest, KeepsTheHighestQualityASourceStated) {
  const PdqHash hash = testing::RandomPdqHash(rng_);
  ASSERT_TRUE(store_->ImportHashList(kUs, WriteList("low.txt", Lines({hash}, ",30")), {}).ok());
  ASSERT_TRUE(store_->ImportHashList(kGb, WriteList("gb.txt", Lines({hash}, ",40")), {}).ok());
  auto none = store_->ComputeIncludedSet(InclusionPolicy{}, nullptr);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->entries.empty());
  ASSERT_TRUE(store_->ImportHashList(kUs, WriteList("high.txt", Lines({hash}, ",70")), {}).ok());
  auto one = store_->ComputeIncludedSet(InclusionPolicy{}, nullptr);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->entries.size(), 1u);
  EXPECT_EQ(one->entries[0].quality, 70u);
}

TEST_F(SourceStoreTest, ImportsComputedHashesOnce) {
  std::vector<HashRecord> records = {{testing::RandomPdqHash(rng_), 88},
                                     {testing::RandomPdqHash(rng_), std::nullopt}};
  auto first = store_->ImportHashes(kUs, records, {});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->hashes_imported, 2u);
  auto again = store_->ImportHashes(kUs, records, {});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_imported);
  records[1].quality = 101;
  EXPECT_EQ(store_->ImportHashes(kUs, records, {}).status().code(), StatusCode::kInvalidInput);
}

TEST_F(SourceStoreTest, RecordsAndLoadsPublications) {
  IncludedSet set;
  set.entries = {{testing::RandomPdqHash(rng_), 90, {"a", "b"}},
                 {testing::RandomPdqHash(rng_), 0, {"c"}}};
  set.revision = 5;
  const std::vector<PublishedEntry>& entries = set.entries;
  Digest digest{};
  digest[0] = 7;
  ASSERT_TRUE(store_->RecordPublication(3, digest, set).ok());
  EXPECT_TRUE(store_->RecordPublication(3, digest, set).ok());  // the same again
  Digest other = digest;
  other[1] = 1;
  EXPECT_EQ(store_->RecordPublication(3, other, set).code(), StatusCode::kFailedPrecondition);
  auto record = store_->FindPublication(3);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->digest, digest);
  EXPECT_EQ(record->revision, std::optional<std::uint64_t>(5));
  EXPECT_EQ(store_->FindPublication(4).status().code(), StatusCode::kNotFound);

  auto loaded = store_->LoadPublication(3);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*loaded)[i].hash, entries[i].hash);
    EXPECT_EQ((*loaded)[i].quality, entries[i].quality);
    EXPECT_EQ((*loaded)[i].sources, entries[i].sources);
  }
  EXPECT_EQ(store_->LoadPublication(4).status().code(), StatusCode::kNotFound);
}

TEST_F(SourceStoreTest, ReopensWithItsContent) {
  ASSERT_TRUE(store_->ImportHashList(kUs, WriteList("a.txt", Lines({testing::RandomPdqHash(rng_)})), {}).ok());
  store_.reset();
  auto reopened = SourceStore::Open(dir_ / "store.sqlite");
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto sources = (*reopened)->ListSources();
  ASSERT_TRUE(sources.ok());
  EXPECT_EQ(sources->size(), 1u);
}

TEST_F(SourceStoreTest, RefusesFilesThatAreNotAStore) {
  const auto text = WriteList("not-sqlite.sqlite", std::string(4096, 'x'));
  EXPECT_EQ(SourceStore::Open(text).status().code(), StatusCode::kCorrupt);

  const auto foreign = dir_ / "foreign.sqlite";
  {
    auto db = SqliteDb::Open(foreign);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
  }
  EXPECT_EQ(SourceStore::Open(foreign).status().code(), StatusCode::kCorrupt);
}

TEST_F(SourceStoreTest, RefusesAStoreFromANewerVersion) {
  store_.reset();
  {
    auto db = SqliteDb::Open(dir_ / "store.sqlite");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA user_version = " + std::to_string(kSourceStoreSchemaVersion + 1)).ok());
  }
  auto reopened = SourceStore::Open(dir_ / "store.sqlite");
  EXPECT_EQ(reopened.status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace hashveil::hashdb
