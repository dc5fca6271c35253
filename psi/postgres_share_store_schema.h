// The PostgreSQL share store's schema, versioned in store_meta.schema_version, and the
// migrations from every older version this build reads. Runs inside a transaction that holds an
// advisory lock, so serve processes opening one store at once migrate it once, and a migration
// either completes or leaves the database as it was.
#pragma once

#include <vector>

#include "account_bucket.h"
#include "bucket_map.h"
#include "hashveil/common/status.h"
#include "pg_connection.h"

namespace hashveil::psi {

// 1: store_meta (version, bucket key); served_dbs; accounts, vouchers and candidates keyed by
// (bucket, account, ...), candidates UNIQUE (bucket, account, voucher_id, share_x) as SQLite
// schema 4.
// 2: dirty_accounts (bucket, account, mark): accounts whose vouchers added candidates since
// their last processing; marks drawn from the sequence dirty_marks, so a mark set again after
// a clear never equals one a processor claimed before.
// 3: shards (sharded_share_store.h): bucket_map (first_bucket, last_bucket, shard URI), read in
// the directory; held_buckets, the buckets whose account rows this database accepts (a trigger
// on accounts refuses the others with SQLSTATE HV001), every bucket until a map change.
inline constexpr int kPostgresShareStoreSchemaVersion = 3;

// Inside a transaction: creates the schema in a database without one (drawing the store's
// bucket key) or migrates an older one, and returns the store's bucket key. kUnsupported for a
// newer schema (written by a newer hashveil), kCorrupt for a malformed store_meta, kIoError.
Result<BucketKey> CreateOrMigratePostgresSchema(PgConnection& connection);

// The directory's bucket map as stored, ascending (validated by BucketMap::FromRanges). kIoError.
Result<std::vector<BucketRange>> ReadBucketMap(PgConnection& connection);

}  // namespace hashveil::psi
