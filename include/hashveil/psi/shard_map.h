// The bucket map of a sharded PostgreSQL share store (issue 13; docs/service.md, "PostgreSQL
// store"), for `hashveil server shards`: read it with each shard's account count, and assign a
// range of buckets to a shard. The map lives in the directory database (the --store URI), so
// every serve process on every machine routes alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hashveil/common/status.h"

namespace hashveil::psi {

// Buckets first..last (inclusive) on shard `shard` (an index into ShardMap::shards).
struct ShardRun {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  std::size_t shard = 0;
};

struct ShardOfMap {
  std::string uri;                        // empty for the directory
  std::optional<std::uint64_t> accounts;  // none when the shard is unreachable
};

struct ShardMap {
  std::vector<ShardRun> runs;      // ascending, covering every bucket
  std::vector<ShardOfMap> shards;  // [0] is the directory
};

// The map of the directory at `directory_uri` (created or migrated like any PostgreSQL store)
// with each shard's account count. kIoError when the directory is unreachable; kCorrupt for a
// malformed map.
Result<ShardMap> ReadShardMap(const std::string& directory_uri);

// Puts buckets first..last on `shard_uri` (empty: back on the directory). The shard gets the
// directory's bucket key if it holds no account (a new database gets the schema); then each
// database concerned holds exactly its buckets of the new map (a database refuses account rows
// of buckets it does not hold); then the map is written. Serve processes route by the map they
// read when they opened their connections: restart them after a change. Changes of the map are
// serialised by a lock in the directory. Nothing is moved between databases:
// kFailedPrecondition when a bucket being moved holds accounts where it is now, or the shard
// holds accounts under another bucket key. kInvalidInput for a range outside 0..1023 or
// backwards, or a URI that is not postgresql://, carries a password or is the directory's own.
// kIoError when a database is unreachable. Errors never repeat a URI.
Status AssignBuckets(const std::string& directory_uri, std::uint32_t first, std::uint32_t last,
                     const std::string& shard_uri);

}  // namespace hashveil::psi
