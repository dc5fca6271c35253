#include "source_store_schema.h"

#include <string>

namespace hashveil::hashdb {
namespace {

// Quality is what the source's list stated (NULL: the list has no quality). Hashes are the
// 32-byte PdqHash::ToBytes form.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE sources(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  organisation TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE imports(
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  digest BLOB NOT NULL CHECK(length(digest) = 32),
  imported_at TEXT NOT NULL,
  lines_read INTEGER NOT NULL,
  hashes_imported INTEGER NOT NULL,
  lines_skipped INTEGER NOT NULL,
  UNIQUE(source_id, digest));
CREATE TABLE hashes(
  id INTEGER PRIMARY KEY,
  bits BLOB NOT NULL UNIQUE CHECK(length(bits) = 32));
CREATE TABLE holdings(
  hash_id INTEGER NOT NULL REFERENCES hashes(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  quality INTEGER CHECK(quality BETWEEN 0 AND 100),
  import_id INTEGER NOT NULL REFERENCES imports(id),
  PRIMARY KEY(hash_id, source_id)) WITHOUT ROWID;
CREATE TABLE publications(
  epoch INTEGER PRIMARY KEY,
  digest BLOB NOT NULL CHECK(length(digest) = 32),
  published_at TEXT NOT NULL);
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

Result<std::int64_t> PragmaValue(SqliteDb& db, const char* sql) {
  HV_ASSIGN_OR_RETURN(auto statement, db.Prepare(sql));
  HV_ASSIGN_OR_RETURN(const bool row, statement.Step());
  if (!row) return Status::Internal("pragma returned no row");
  return statement.Int(0);
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
                             "PRAGMA foreign_keys = ON; PRAGMA cache_size = -131072;")
                         .WithContext("configuring source store"));
  if (!empty) return Status::Ok();

  auto transaction = SqliteTransaction::Begin(db);
  HV_RETURN_IF_ERROR(transaction.status());
  HV_RETURN_IF_ERROR(db.Exec(kSchemaV1).WithContext("creating source store schema"));
  HV_RETURN_IF_ERROR(db.Exec("PRAGMA application_id = " +
                             std::to_string(kSourceStoreApplicationId) +
                             "; PRAGMA user_version = " +
                             std::to_string(kSourceStoreSchemaVersion))
                         .WithContext("creating source store schema"));
  return transaction->Commit();
}

}  // namespace hashveil::hashdb
