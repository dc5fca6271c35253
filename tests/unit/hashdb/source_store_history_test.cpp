// The source store's revisions: removals, replacement lists, the content at an earlier revision
// (what a publication's audit recomputes), and the migration of schema-1 stores.
#include <gtest/gtest.h>

#include "source_store_fixture.h"
#include "source_store_schema.h"
#include "sqlite_db.h"

namespace hashveil::hashdb {
namespace {

using matcher::PdqHash;

// Every source's hashes count: a single source is enough for an entry.
InclusionPolicy AnySource() {
  return {
      .min_quality = 50, .min_sources = 1, .distinct_jurisdictions = false, .merge_distance = 31};
}

class SourceStoreHistoryTest : public SourceStoreTest {
 protected:
  std::vector<PdqHash> Hashes(int count) {
    std::vector<PdqHash> hashes;
    for (int i = 0; i < count; ++i) hashes.push_back(hashveil::testing::RandomPdqHash(rng_));
    return hashes;
  }

  ImportReport Import(const SourceInfo& source, const std::vector<PdqHash>& hashes,
                      bool replace = false, const std::string& suffix = ",80") {
    static int files = 0;
    const auto list = WriteList("list" + std::to_string(++files) + ".txt", Lines(hashes, suffix));
    auto report = store_->ImportHashList(source, list, {.replace = replace});
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : ImportReport{};
  }

  std::vector<PdqHash> SetAt(std::optional<std::uint64_t> revision = std::nullopt) {
    auto set = store_->ComputeIncludedSet(AnySource(), nullptr, revision);
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    std::vector<PdqHash> hashes;
    if (set.ok()) {
      for (const auto& entry : set->entries) hashes.push_back(entry.hash);
      std::sort(hashes.begin(), hashes.end(), HexOrderLessThan);
    }
    return hashes;
  }

  static bool HexOrderLessThan(const PdqHash& a, const PdqHash& b) { return a.ToHex() < b.ToHex(); }
  static std::vector<PdqHash> Sorted(std::vector<PdqHash> hashes) {
    std::sort(hashes.begin(), hashes.end(), HexOrderLessThan);
    return hashes;
  }
};

TEST_F(SourceStoreHistoryTest, ARemovedHashLeavesTheSetButNotAnEarlierRevision) {
  const auto hashes = Hashes(3);
  const ImportReport imported = Import(kUs, hashes);
  EXPECT_EQ(imported.revision, 1u);
  auto removed = store_->RemoveHashes("us-list", {hashes[1]}, "false positive, ticket 12");
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(removed->holdings_removed, 1u);
  EXPECT_EQ(removed->revision, 2u);

  EXPECT_EQ(SetAt(), Sorted({hashes[0], hashes[2]}));
  EXPECT_EQ(SetAt(1), Sorted(hashes));  // what a DB published at revision 1 was built from
  EXPECT_EQ(store_->ComputeIncludedSet(AnySource(), nullptr, 3).status().code(),
            StatusCode::kNotFound);

  const auto sources = Sources();
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].hash_count, 2u);
  EXPECT_EQ(sources[0].removed_count, 1u);
  EXPECT_EQ(sources[0].last_revision, 2u);
  auto history = store_->History();
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].kind, ChangeKind::kImport);
  EXPECT_EQ((*history)[0].added, 3u);
  EXPECT_EQ((*history)[1].kind, ChangeKind::kRemoveHashes);
  EXPECT_EQ((*history)[1].source, "us-list");
  EXPECT_EQ((*history)[1].removed, 1u);
  EXPECT_EQ((*history)[1].reason, "false positive, ticket 12");
}

TEST_F(SourceStoreHistoryTest, AHashIsRemovedFromEverySourceWhenNoneIsNamed) {
  const auto hashes = Hashes(2);
  Import(kUs, hashes);
  Import(kGb, hashes);
  auto removed = store_->RemoveHashes("", {hashes[0], Hashes(1)[0]}, "");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->holdings_removed, 2u);
  EXPECT_EQ(removed->hashes_not_held, 1u);
  EXPECT_EQ(SetAt(), std::vector<PdqHash>{hashes[1]});
  EXPECT_EQ(store_->History()->back().source, "");

  // Nothing held: no revision.
  auto again = store_->RemoveHashes("", {hashes[0]}, "");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revision, 0u);
  EXPECT_EQ(store_->History()->size(), 3u);
  EXPECT_EQ(store_->RemoveHashes("no-such-source", {hashes[1]}, "").status().code(),
            StatusCode::kNotFound);
}

TEST_F(SourceStoreHistoryTest, ARemovedSourceStaysListedAndAnImportFillsItAgain) {
  const auto hashes = Hashes(4);
  const auto list = WriteList("us.txt", Lines(hashes, ",80"));
  ASSERT_TRUE(store_->ImportHashList(kUs, list, {}).ok());
  auto removed = store_->RemoveSource("us-list", "the list was withdrawn");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->holdings_removed, 4u);
  EXPECT_TRUE(SetAt().empty());
  ASSERT_EQ(Sources().size(), 1u);
  EXPECT_EQ(Sources()[0].hash_count, 0u);
  EXPECT_EQ(Sources()[0].removed_count, 4u);

  // The same file again is no longer a no-op: the removal came after it.
  auto reimported = store_->ImportHashList(kUs, list, {});
  ASSERT_TRUE(reimported.ok());
  EXPECT_FALSE(reimported->already_imported);
  EXPECT_EQ(reimported->hashes_imported, 4u);
  EXPECT_EQ(SetAt(), Sorted(hashes));
  EXPECT_EQ(Sources()[0].removed_count, 0u);  // held again
  EXPECT_EQ(store_->RemoveSource("no-such-source", "").status().code(), StatusCode::kNotFound);
}

TEST_F(SourceStoreHistoryTest, AReplacementListDropsWhatItLacks) {
  const auto hashes = Hashes(4);
  Import(kUs, {hashes[0], hashes[1], hashes[2]});
  const ImportReport replaced = Import(kUs, {hashes[1], hashes[2], hashes[3]}, /*replace=*/true);
  EXPECT_EQ(replaced.hashes_imported, 1u);
  EXPECT_EQ(replaced.hashes_removed, 1u);
  EXPECT_EQ(replaced.revision, 2u);
  EXPECT_EQ(SetAt(), Sorted({hashes[1], hashes[2], hashes[3]}));
  EXPECT_EQ(SetAt(1), Sorted({hashes[0], hashes[1], hashes[2]}));

  // The same list again changes nothing: no revision, reported as already imported.
  const ImportReport unchanged = Import(kUs, {hashes[3], hashes[2], hashes[1]}, true);
  EXPECT_TRUE(unchanged.already_imported);
  EXPECT_EQ(unchanged.revision, 0u);

  // An import in between is undone by the next replacement (the list is the source's whole).
  Import(kUs, {hashes[0]});
  const ImportReport again = Import(kUs, {hashes[1], hashes[2], hashes[3]}, true);
  EXPECT_EQ(again.hashes_removed, 1u);
  EXPECT_EQ(SetAt(), Sorted({hashes[1], hashes[2], hashes[3]}));
}

TEST_F(SourceStoreHistoryTest, AReplacementListSetsQualitiesAndEarlierRevisionsKeepTheirs) {
  const auto hashes = Hashes(2);
  Import(kUs, hashes);                           // quality 80: both pass
  Import(kUs, hashes, /*replace=*/true, ",30");  // the owner lowered both below 50
  EXPECT_TRUE(SetAt().empty());
  EXPECT_EQ(SetAt(1), Sorted(hashes));
  // A plain import only raises a quality.
  Import(kUs, hashes, false, ",20");
  EXPECT_TRUE(SetAt().empty());
  Import(kUs, {hashes[0]}, false, ",90");
  EXPECT_EQ(SetAt(), std::vector<PdqHash>{hashes[0]});
}

TEST_F(SourceStoreHistoryTest, AReplacementListMustBeWholeAndNonEmpty) {
  const auto hashes = Hashes(2);
  Import(kUs, hashes);
  const auto with_bad_line = WriteList("bad.txt", Lines({hashes[0]}) + "not a hash\n");
  EXPECT_EQ(store_->ImportHashList(kUs, with_bad_line, {.skip_bad_lines = true, .replace = true})
                .status()
                .code(),
            StatusCode::kInvalidInput);
  EXPECT_EQ(store_->ImportHashList(kUs, WriteList("empty.txt", "# nothing\n"), {.replace = true})
                .status()
                .code(),
            StatusCode::kInvalidInput);
  EXPECT_EQ(SetAt(), Sorted(hashes));
}

TEST_F(SourceStoreHistoryTest, APublicationRecordsTheRevisionItsSetCameFrom) {
  Import(kUs, Hashes(3));
  auto set = store_->ComputeIncludedSet(AnySource(), nullptr);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->revision, 1u);
  EXPECT_EQ(set->counts.hashes, 3u);
  ASSERT_TRUE(store_->RecordPublication(7, Digest{}, *set).ok());
  Import(kUs, Hashes(1));
  auto record = store_->FindPublication(7);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->revision, std::optional<std::uint64_t>(1));
}

// The schema of version 1, as hashveil wrote it before the store kept revisions.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE sources(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, organisation TEXT NOT NULL,
  jurisdiction TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE imports(id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id),
  digest BLOB NOT NULL CHECK(length(digest) = 32), imported_at TEXT NOT NULL,
  lines_read INTEGER NOT NULL, hashes_imported INTEGER NOT NULL, lines_skipped INTEGER NOT NULL,
  UNIQUE(source_id, digest));
CREATE TABLE hashes(id INTEGER PRIMARY KEY, bits BLOB NOT NULL UNIQUE CHECK(length(bits) = 32));
CREATE TABLE holdings(hash_id INTEGER NOT NULL REFERENCES hashes(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  quality INTEGER CHECK(quality BETWEEN 0 AND 100),
  import_id INTEGER NOT NULL REFERENCES imports(id),
  PRIMARY KEY(hash_id, source_id)) WITHOUT ROWID;
CREATE TABLE publications(epoch INTEGER PRIMARY KEY, digest BLOB NOT NULL CHECK(length(digest) = 32),
  published_at TEXT NOT NULL);
CREATE TABLE published_entries(epoch INTEGER NOT NULL REFERENCES publications(epoch),
  ordinal INTEGER NOT NULL, bits BLOB NOT NULL CHECK(length(bits) = 32),
  quality INTEGER NOT NULL, PRIMARY KEY(epoch, ordinal)) WITHOUT ROWID;
CREATE TABLE published_entry_sources(epoch INTEGER NOT NULL, ordinal INTEGER NOT NULL,
  source_name TEXT NOT NULL, PRIMARY KEY(epoch, ordinal, source_name),
  FOREIGN KEY(epoch, ordinal) REFERENCES published_entries(epoch, ordinal)) WITHOUT ROWID;
)sql";

TEST_F(SourceStoreHistoryTest, MigratesASchemaOneStoreWithoutLosingAnything) {
  store_.reset();
  const auto path = dir_ / "v1.sqlite";
  const auto hashes = Hashes(2);
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec(kSchemaV1).ok());
    ASSERT_TRUE(db->Exec("PRAGMA application_id = " + std::to_string(kSourceStoreApplicationId) +
                         "; PRAGMA user_version = 1;"
                         "INSERT INTO sources VALUES(1, 'us-list', 'Org US', 'US', '2026-01-01');"
                         "INSERT INTO imports VALUES(1, 1, zeroblob(32), '2026-01-02', 2, 2, 0);"
                         "INSERT INTO publications VALUES(5, zeroblob(32), '2026-01-03');")
                    .ok());
    auto hash = db->Prepare("INSERT INTO hashes(id, bits) VALUES(?, ?)");
    auto holding = db->Prepare("INSERT INTO holdings VALUES(?, 1, 80, 1)");
    ASSERT_TRUE(hash.ok() && holding.ok());
    for (std::size_t i = 0; i < hashes.size(); ++i) {
      const auto bits = hashes[i].ToBytes();
      const auto id = static_cast<std::int64_t>(i + 1);
      ASSERT_TRUE(hash->Bind(1, id).Bind(2, std::span(bits)).Run().ok());
      ASSERT_TRUE(holding->Bind(1, id).Run().ok());
    }
  }
  auto store = SourceStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(*store);

  EXPECT_EQ(SetAt(), Sorted(hashes));
  EXPECT_EQ(SetAt(1), Sorted(hashes));
  auto history = store_->History();
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].at, "2026-01-02");
  EXPECT_EQ((*history)[0].added, 2u);
  auto record = store_->FindPublication(5);
  ASSERT_TRUE(record.ok());
  EXPECT_FALSE(record->revision.has_value());  // its input was never recorded
  // The migrated store takes changes: a removal, then the same import no longer a no-op.
  ASSERT_TRUE(store_->RemoveHashes("us-list", {hashes[0]}, "").ok());
  EXPECT_EQ(SetAt(), std::vector<PdqHash>{hashes[1]});
  EXPECT_EQ(SetAt(1), Sorted(hashes));
  store_.reset();
  auto db = SqliteDb::Open(path);
  ASSERT_TRUE(db.ok());
  auto version = db->Prepare("PRAGMA user_version");
  ASSERT_TRUE(version.ok() && version->Step().value());
  EXPECT_EQ(version->Int(0), kSourceStoreSchemaVersion);
}

}  // namespace
}  // namespace hashveil::hashdb
