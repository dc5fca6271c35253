// The share store on PostgreSQL 15 (issue 13): the same ShareStore, for a service whose serve
// processes run on many machines against one database. Same rules and answers as the SQLite
// store (share_store.h); each write is one transaction, acknowledged only after its commit.
//
// Every account-keyed row starts with (bucket, account) (account_bucket.h), so one account's
// rows live together and sharding by bucket needs no migration. served_dbs and store_meta are
// the store's own, not an account's.
#pragma once

#include <memory>
#include <string>

#include "account_bucket.h"
#include "bucket_map.h"
#include "hashveil/common/status.h"
#include "hashveil/psi/share_store.h"

namespace hashveil::psi {

// Connects to the libpq URI `uri` and creates or migrates the schema. kIoError when the server
// is unreachable or fails, kUnsupported for a schema newer than this build reads, kCorrupt for
// a malformed store_meta. Thread-compatible, like every ShareStore: one per thread.
Result<std::unique_ptr<ShareStore>> OpenPostgresShareStore(const std::string& uri);

// A sharded deployment's directory (sharded_share_store.h): the store at `uri`, which holds the
// buckets the map gives no shard, with its bucket key and map, read when it is opened. The
// errors of OpenPostgresShareStore; kCorrupt for a malformed map.
struct PostgresDirectory {
  std::unique_ptr<ShareStore> store;
  BucketKey bucket_key{};
  BucketMap map;
};
Result<PostgresDirectory> OpenPostgresDirectory(const std::string& uri);

// A shard of `directory`, whose bucket key is `bucket_key`: the store at `uri`, reading and
// adding served DBs through `directory` (which must outlive it). The errors of
// OpenPostgresShareStore; kFailedPrecondition when the shard's bucket key is another (it was
// never attached with `hashveil server shards --assign`).
Result<std::unique_ptr<ShareStore>> OpenPostgresShard(const std::string& uri,
                                                      const BucketKey& bucket_key,
                                                      ShareStore& directory);

}  // namespace hashveil::psi
