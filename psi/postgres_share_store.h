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

#include "hashveil/common/status.h"
#include "hashveil/psi/share_store.h"

namespace hashveil::psi {

// Connects to the libpq URI `uri` and creates or migrates the schema. kIoError when the server
// is unreachable or fails, kUnsupported for a schema newer than this build reads, kCorrupt for
// a malformed store_meta. Thread-compatible, like every ShareStore: one per thread.
Result<std::unique_ptr<ShareStore>> OpenPostgresShareStore(const std::string& uri);

}  // namespace hashveil::psi
