#include "source_store_schema.h"

#include <string>

namespace hashveil::hashdb {
namespace {

// Quality is what the source's list stated (NULL: the list has no quality). Hashes are the
// 32-byte PdqHash::ToBytes form. Nothing is deleted: every change is a row of `revisions`, and a
// holding is live from added_rev until removed_rev (NULL: held now), so the content at any
// revision R is the holdings with added_rev <= R and (removed_rev IS NULL or removed_rev > R).
// The tables schema 2 added or rebuilt, shared by the new schema and the migration.
constexpr const char* kRevisionsTable = R"sql(
CREATE TABLE revisions(
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  action TEXT NOT NULL CHECK(action IN ('import', 'replace', 'remove-hashes', 'remove-source')),
  source_id INTEGER REFERENCES sources(id),
  added INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  reason TEXT NOT NULL);
)sql";
constexpr const char* kImportsTable = R"sql(
CREATE TABLE imports(
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  digest BLOB NOT NULL CHECK(length(digest) = 32),
  imported_at TEXT NOT NULL,
  lines_read INTEGER NOT NULL,
  hashes_imported INTEGER NOT NULL,
  lines_skipped INTEGER NOT NULL,
  revision INTEGER REFERENCES revisions(id));
CREATE INDEX imports_by_digest ON imports(source_id, digest);
)sql";
constexpr const char* kHoldingsTable = R"sql(
CREATE TABLE holdings(
  id INTEGER PRIMARY KEY,
  hash_id INTEGER NOT NULL REFERENCES hashes(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  quality INTEGER CHECK(quality BETWEEN 0 AND 100),
  added_rev INTEGER NOT NULL REFERENCES revisions(id),
  removed_rev INTEGER REFERENCES revisions(id));
CREATE UNIQUE INDEX holdings_held ON holdings(hash_id, source_id) WHERE removed_rev IS NULL;
CREATE INDEX holdings_by_source ON holdings(source_id, hash_id);
)sql";

// The tables schema 2 kept from schema 1 as they were.
constexpr const char* kUnchangedTables = R"sql(
CREATE TABLE sources(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  organisation TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE hashes(
  id INTEGER PRIMARY KEY,
  bits BLOB NOT NULL UNIQUE CHECK(length(bits) = 32));
CREATE TABLE publications(
  epoch INTEGER PRIMARY KEY,
  digest BLOB NOT NULL CHECK(length(digest) = 32),
  published_at TEXT NOT NULL,
  revision INTEGER);
CREATE TABLE published_entries(
  epoch INTEGER NOT NULL REFERENCES publications(epoch),
  ordinal INTEGER NOT NULL,
  bits BLOB NOT NULL CHECK(length(bits) = 32),
  quality INTEGER NOT NULL,
  PRIMARY KEY(epoch, ordinal)) WITHOUT ROWID;
CREATE TABLE published_entry_sources(
  epoch INTEGER NOT NULL,
  ordinal INTEGER NOT NULL,
  source_name TEXT NOT NULL,
  PRIMARY KEY(epoch, ordinal, source_name),
  FOREIGN KEY(epoch, ordinal) REFERENCES published_entries(epoch, ordinal)) WITHOUT ROWID;
)sql";

std::string SchemaV2() {
  return std::string(kUnchangedTables) + kRevisionsTable + kImportsTable + kHoldingsTable;
}

// Schema 1 had no revisions: each import becomes the revision of the same number, its holdings
// added at it; publications get a NULL revision (their input was never recorded). Run with
// foreign keys off, in one transaction, so a failure leaves the version-1 store as it was.
std::string MigrationV1ToV2() {
  return std::string(kRevisionsTable) + R"sql(
INSERT INTO revisions(id, at, action, source_id, added, removed, reason)
  SELECT id, imported_at, 'import', source_id, hashes_imported, 0, '' FROM imports;
ALTER TABLE imports RENAME TO imports_v1;
)sql" + kImportsTable + R"sql(
INSERT INTO imports SELECT id, source_id, digest, imported_at, lines_read, hashes_imported,
  lines_skipped, id FROM imports_v1;
ALTER TABLE holdings RENAME TO holdings_v1;
)sql" + kHoldingsTable + R"sql(
INSERT INTO holdings(hash_id, source_id, quality, added_rev, removed_rev)
  SELECT hash_id, source_id, quality, import_id, NULL FROM holdings_v1 ORDER BY hash_id, source_id;
DROP TABLE holdings_v1;
DROP TABLE imports_v1;
ALTER TABLE publications ADD COLUMN revision INTEGER;
)sql";
}

Result<std::int64_t> PragmaValue(SqliteDb& db, const char* sql) {
  HV_ASSIGN_OR_RETURN(auto statement, db.Prepare(sql));
  HV_ASSIGN_OR_RETURN(const bool row, statement.Step());
  if (!row) return Status::Internal("pragma returned no row");
  return statement.Int(0);
}

// Runs `sql` and stamps the store's application id and this build's schema version, in one
// transaction.
Status WriteSchema(SqliteDb& db, const std::string& sql) {
  HV_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(db));
  HV_RETURN_IF_ERROR(db.Exec(sql));
  HV_RETURN_IF_ERROR(db.Exec("PRAGMA application_id = " +
                             std::to_string(kSourceStoreApplicationId) +
                             "; PRAGMA user_version = " +
                             std::to_string(kSourceStoreSchemaVersion)));
  return transaction.Commit();
}

}  // namespace

Status PrepareSourceStoreSchema(SqliteDb& db) {
  // The first read of the header: a file that is not SQLite fails here.
  auto application_id = PragmaValue(db, "PRAGMA application_id");
  if (!application_id.ok()) {
    if (application_id.status().code() == StatusCode::kCorrupt) {
      return Status::Corrupt("not a hashveil source store (not an SQLite database)");
    }
    return application_id.status();
  }
  HV_ASSIGN_OR_RETURN(const std::int64_t version, PragmaValue(db, "PRAGMA user_version"));
  HV_ASSIGN_OR_RETURN(const std::int64_t tables,
                      PragmaValue(db, "SELECT count(*) FROM sqlite_schema"));
  const bool empty = tables == 0 && *application_id == 0;
  if (!empty && *application_id != kSourceStoreApplicationId) {
    return Status::Corrupt("not a hashveil source store (another application's database)");
  }
  if (!empty && version > kSourceStoreSchemaVersion) {
    return Status::Unsupported("source store schema version " + std::to_string(version) +
                               " is newer than this build's " +
                               std::to_string(kSourceStoreSchemaVersion));
  }
  if (!empty && version < 1) return Status::Corrupt("source store has no schema version");

  HV_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                             "PRAGMA cache_size = -131072;")
                         .WithContext("configuring source store"));
  if (empty) {
    HV_RETURN_IF_ERROR(WriteSchema(db, SchemaV2()).WithContext("creating source store schema"));
  } else if (version == 1) {
    HV_RETURN_IF_ERROR(
        WriteSchema(db, MigrationV1ToV2()).WithContext("migrating source store to schema 2"));
  }
  // After the migration: foreign keys on would check its renamed tables' references midway.
  return db.Exec("PRAGMA foreign_keys = ON").WithContext("configuring source store");
}

}  // namespace hashveil::hashdb
