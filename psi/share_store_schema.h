// The share store's schema (docs/protocol.md 3.2) and the migration from every older schema this
// version still reads. Runs inside the write transaction ShareStore::Open begins, so a migration
// either completes or leaves the file as it was.
#pragma once

#include <sqlite3.h>

#include "hashveil/common/status.h"

namespace hashveil::psi {

// 4: one candidate row per opened outer entry (protocol 2), UNIQUE (account, voucher_id, share_x).
// 3: one row per served DB epoch (served_dbs), each voucher and candidate with its epoch.
// 2: one served DB (served_db), per account the inconsistent vouchers. 1 is refused.
inline constexpr int kShareStoreSchemaVersion = 4;

// Creates the schema in an empty file, migrates a schema-2 store to schema 3 (nothing is lost:
// the one served DB becomes the current one, every voucher and candidate gets its epoch) and a
// schema-3 store to 4 (every candidate kept; the old DBs' p_syn and k forgotten so their
// protocol-1 shares never combine with protocol-2 ones), and refuses any other version
// (kUnsupported). kIoError when SQLite fails.
Status CreateOrMigrateShareStoreSchema(sqlite3* db);

}  // namespace hashveil::psi
