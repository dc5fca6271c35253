#include "share_store_schema.h"

#include <string>

namespace hashveil::psi {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS served_dbs ("
    "  epoch INTEGER PRIMARY KEY, entry_count INTEGER NOT NULL, synthetic_max INTEGER NOT NULL,"
    "  threshold INTEGER NOT NULL, synthetic_rate_ppm INTEGER, key_bits INTEGER,"
    "  public_point BLOB NOT NULL, db_digest BLOB NOT NULL, accepted_until INTEGER);"
    "CREATE TABLE IF NOT EXISTS accounts ("
    "  name TEXT PRIMARY KEY, refused INTEGER NOT NULL DEFAULT 0,"
    "  inconsistent INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS vouchers ("
    "  account TEXT NOT NULL, voucher_id BLOB NOT NULL, epoch INTEGER NOT NULL,"
    "  PRIMARY KEY (account, voucher_id));"
    "CREATE TABLE IF NOT EXISTS candidates ("
    "  seq INTEGER PRIMARY KEY, account TEXT NOT NULL, voucher_id BLOB NOT NULL,"
    "  share_x BLOB NOT NULL, share_y BLOB NOT NULL, tag BLOB NOT NULL, adct BLOB NOT NULL,"
    "  epoch INTEGER NOT NULL, UNIQUE (account, voucher_id, share_x));"
    "CREATE INDEX IF NOT EXISTS candidates_by_account ON candidates (account, share_x);";

// Schema 2 kept one served DB; every voucher and candidate in it was made for that DB. p_syn and
// k were not kept: they stay unknown until the operator gives that DB again (AddServedDb). Runs
// after kSchema, which created served_dbs (the other tables existed and were left alone).
constexpr const char* kMigrateFrom2 =
    "INSERT INTO served_dbs (epoch, entry_count, synthetic_max, threshold, public_point, db_digest)"
    "  SELECT epoch, entry_count, synthetic_max, threshold, public_point, db_digest"
    "  FROM served_db WHERE id = 1;"
    "ALTER TABLE vouchers ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE candidates ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;"
    "UPDATE vouchers SET epoch = COALESCE((SELECT epoch FROM served_db WHERE id = 1), 0);"
    "UPDATE candidates SET epoch = COALESCE((SELECT epoch FROM served_db WHERE id = 1), 0);"
    "DROP TABLE served_db;";

// Schema 3 kept one candidate per voucher (protocol 1: one share per image, from its base key);
// protocol 2 keeps one per opened entry, so the table is rebuilt with the wider UNIQUE. Its DBs'
// p_syn and k are forgotten: unknown parameters are what keeps EpochGroups from combining an
// epoch with another, and shares made under protocol 1 must never combine with protocol 2 ones
// (one image would count under two identities). A protocol-1 DB (client DB format 2) cannot be
// served again, so they stay unknown.
constexpr const char* kMigrateFrom3 =
    "CREATE TABLE candidates_v4 ("
    "  seq INTEGER PRIMARY KEY, account TEXT NOT NULL, voucher_id BLOB NOT NULL,"
    "  share_x BLOB NOT NULL, share_y BLOB NOT NULL, tag BLOB NOT NULL, adct BLOB NOT NULL,"
    "  epoch INTEGER NOT NULL, UNIQUE (account, voucher_id, share_x));"
    "INSERT INTO candidates_v4 (seq, account, voucher_id, share_x, share_y, tag, adct, epoch)"
    "  SELECT seq, account, voucher_id, share_x, share_y, tag, adct, epoch FROM candidates;"
    "DROP TABLE candidates;"
    "ALTER TABLE candidates_v4 RENAME TO candidates;"
    "CREATE INDEX candidates_by_account ON candidates (account, share_x);"
    "UPDATE served_dbs SET synthetic_rate_ppm = NULL, key_bits = NULL;";

Status Exec(sqlite3* db, const std::string& sql) {
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    const int code = sqlite3_errcode(db);
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
      return Status::Corrupt("share store file is not a share store");
    }
    return Status::IoError(std::string("updating the share store's schema failed: ") +
                           sqlite3_errmsg(db));
  }
  return Status::Ok();
}

Result<int> UserVersion(sqlite3* db) {
  sqlite3_stmt* statement = nullptr;
  const bool prepared =
      sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &statement, nullptr) == SQLITE_OK;
  const int rc = prepared ? sqlite3_step(statement) : SQLITE_ERROR;
  const int version = rc == SQLITE_ROW ? sqlite3_column_int(statement, 0) : 0;
  sqlite3_finalize(statement);
  if (rc == SQLITE_ROW || rc == SQLITE_DONE) return version;
  const int code = sqlite3_errcode(db);
  if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
    return Status::Corrupt("share store file is not a share store");
  }
  return Status::IoError("reading the share store's schema version failed");
}

}  // namespace

Status CreateOrMigrateShareStoreSchema(sqlite3* db) {
  HV_ASSIGN_OR_RETURN(const int found, UserVersion(db));
  if (found != 0 && found != 2 && found != 3 && found != kShareStoreSchemaVersion) {
    return Status::Unsupported("share store was written by another hashveil version");
  }
  HV_RETURN_IF_ERROR(Exec(db, kSchema));
  if (found == 2) HV_RETURN_IF_ERROR(Exec(db, kMigrateFrom2));
  if (found == 2 || found == 3) HV_RETURN_IF_ERROR(Exec(db, kMigrateFrom3));
  return Exec(db, "PRAGMA user_version = " + std::to_string(kShareStoreSchemaVersion));
}

}  // namespace hashveil::psi
