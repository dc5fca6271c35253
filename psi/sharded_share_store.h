// The PostgreSQL share store sharded by account (issue 13). The --store URI names the directory
// database, whose bucket_map (bucket_map.h) names the database (shard) of each bucket; buckets
// it names no shard for stay on the directory. Every key starts with (bucket, account), so one
// account's rows live on one shard, and each shard is a plain PostgreSQL share store with the
// directory's bucket key (set when `hashveil server shards --assign` attaches it).
//
// Routing: a voucher, a refusal, an account's candidates and a bucket's claim go to the shard of
// the account's bucket (the bucket's advisory lock lives there); ListAccounts merges every
// shard's list in name order; DirtyBuckets is the union over the shards; the served DBs live in
// the directory only. The map is read when the store is opened (a serve process reads it as it
// opens each pooled connection): after a change, restart the serve processes. A database
// refuses the account rows of buckets it does not hold (schema 3's held_buckets), so a process
// that still routes by the old map fails those writes instead of placing an account on two
// shards.
//
// RecordAll splits a batch by shard and writes each part in one transaction on its shard: a
// voucher is all or nothing on its shard, but a batch is not. When a shard fails, the call
// returns its error after the parts before it may have committed; the client retries, and the
// vouchers that had committed are then repeats, each counted once (ShareStore's idempotence by
// (account, voucher id)). A shard's connection is opened on first use, so a shard that is down
// fails only what needs it: the accounts of the other shards go on being written and read,
// while ListAccounts and DirtyBuckets, which need every shard, fail until it is back.
#pragma once

#include <memory>

#include "account_bucket.h"
#include "bucket_map.h"
#include "hashveil/common/status.h"
#include "hashveil/psi/share_store.h"

namespace hashveil::psi {

// The store over `directory` (the store at the --store URI, whose key is `bucket_key`) and the
// shards `map` names. Opens no shard yet: each is opened on first use, with
// OpenPostgresShard's errors then. Thread-compatible, like every ShareStore.
std::unique_ptr<ShareStore> MakeShardedShareStore(std::unique_ptr<ShareStore> directory,
                                                  const BucketKey& bucket_key, BucketMap map);

}  // namespace hashveil::psi
