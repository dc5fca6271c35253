// The PostgreSQL share store's schema, versioned in store_meta.schema_version, and the
// migrations from every older version this build reads. Runs inside a transaction that holds an
// advisory lock, so serve processes opening one store at once migrate it once, and a migration
// either completes or leaves the database as it was.
#pragma once

#include "account_bucket.h"
#include "hashveil/common/status.h"
#include "pg_connection.h"

namespace hashveil::psi {

// 1: store_meta (version, bucket key); served_dbs; accounts, vouchers and candidates keyed by
// (bucket, account, ...), candidates UNIQUE (bucket, account, voucher_id, share_x) as SQLite
// schema 4.
// 2: dirty_accounts (bucket, account, mark): accounts whose vouchers added candidates since
// their last processing; marks drawn from the sequence dirty_marks, so a mark set again after
// a clear never equals one a processor claimed before.
inline constexpr int kPostgresShareStoreSchemaVersion = 2;

// Inside a transaction: creates the schema in a database without one (drawing the store's
// bucket key) or migrates an older one, and returns the store's bucket key. kUnsupported for a
// newer schema (written by a newer hashveil), kCorrupt for a malformed store_meta, kIoError.
Result<BucketKey> CreateOrMigratePostgresSchema(PgConnection& connection);

}  // namespace hashveil::psi
