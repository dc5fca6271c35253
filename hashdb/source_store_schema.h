// The source store's SQLite schema (docs/hashdb.md, "Store schema"): created on first open,
// checked on every open.
#pragma once

#include "hashveil/common/status.h"
#include "sqlite_db.h"

namespace hashveil::hashdb {

// PRAGMA application_id of every source store: "hvSS".
inline constexpr std::int64_t kSourceStoreApplicationId = 0x68765353;
// PRAGMA user_version this build writes and reads.
inline constexpr std::int64_t kSourceStoreSchemaVersion = 2;

// Creates the schema in an empty database, or checks an existing one (migrating schema 1): kCorrupt when the file is
// not SQLite or is another application's database, kUnsupported when a newer hashveil wrote it.
// Also sets the connection's pragmas (WAL, foreign keys).
Status PrepareSourceStoreSchema(SqliteDb& db);

}  // namespace hashveil::hashdb
