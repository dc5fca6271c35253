// hashveil server shards: the bucket map in the directory and each database's held_buckets
// (postgres_share_store_schema.h, schema 3), kept in step.
#include "hashveil/psi/shard_map.h"

#include <algorithm>

#include "bucket_map.h"
#include "pg_connection.h"
#include "postgres_share_store_schema.h"

namespace hashveil::psi {
namespace {

// Serialises map changes: held until the directory's transaction ends ("hvmap" in ASCII; apart
// from the schema lock's key).
constexpr const char* kLockMapChanges = "SELECT pg_advisory_xact_lock(448311779696)";
// Waits for the writers in flight, which hold ROW SHARE until they commit, and keeps new ones
// waiting until this transaction ends (schema 3's trigger on accounts).
constexpr const char* kLockHeldBuckets = "LOCK TABLE held_buckets IN EXCLUSIVE MODE";

constexpr PgStatement kCountAccounts{"hv_shards_count_accounts", "SELECT count(*) FROM accounts"};
constexpr PgStatement kForgetHeld{"hv_shards_forget_held", "DELETE FROM held_buckets"};
constexpr PgStatement kInsertHeld{
    "hv_shards_insert_held",
    "INSERT INTO held_buckets (first_bucket, last_bucket) VALUES ($1, $2)"};
constexpr PgStatement kCountStrays{
    "hv_shards_count_strays",
    "SELECT count(*) FROM accounts a WHERE NOT EXISTS (SELECT 1 FROM held_buckets h"
    " WHERE a.bucket BETWEEN h.first_bucket AND h.last_bucket)"};
constexpr PgStatement kSetKey{"hv_shards_set_key", "UPDATE store_meta SET bucket_key = $1"};
constexpr PgStatement kForgetMap{"hv_shards_forget_map", "DELETE FROM bucket_map"};
constexpr PgStatement kInsertMap{
    "hv_shards_insert_map",
    "INSERT INTO bucket_map (first_bucket, last_bucket, shard) VALUES ($1, $2, $3)"};

Result<std::uint64_t> CountAccounts(PgConnection& connection) {
  HV_ASSIGN_OR_RETURN(const PgRows rows, connection.Run(kCountAccounts, PgParams(), "reading"));
  HV_ASSIGN_OR_RETURN(const std::int64_t count, rows.Int(0, 0));
  return static_cast<std::uint64_t>(count);
}

// Inside a transaction: the database accepts account rows of `runs` only. kFailedPrecondition
// when it holds accounts of other buckets (they would have to move).
Status HoldOnly(PgConnection& connection, const std::vector<BucketRange>& runs) {
  HV_RETURN_IF_ERROR(connection.Execute(kLockHeldBuckets, "locking"));
  HV_RETURN_IF_ERROR(connection.Run(kForgetHeld, PgParams(), "writing").status());
  for (const BucketRange& run : runs) {
    HV_RETURN_IF_ERROR(connection
                           .Run(kInsertHeld,
                                PgParams().Int(std::int64_t{run.first}).Int(std::int64_t{run.last}),
                                "writing")
                           .status());
  }
  HV_ASSIGN_OR_RETURN(const PgRows strays, connection.Run(kCountStrays, PgParams(), "reading"));
  HV_ASSIGN_OR_RETURN(const std::int64_t count, strays.Int(0, 0));
  if (count != 0) {
    return Status::FailedPrecondition(
        "buckets being moved hold accounts where they are now (moving accounts between shards "
        "is not built)");
  }
  return Status::Ok();
}

// Inside a transaction: gives the shard the directory's key, unless it holds accounts under its
// own (their buckets would change).
Status AdoptKey(PgConnection& connection, const BucketKey& shard_key, const BucketKey& key) {
  if (shard_key == key) return Status::Ok();
  HV_ASSIGN_OR_RETURN(const std::uint64_t accounts, CountAccounts(connection));
  if (accounts != 0) {
    return Status::FailedPrecondition(
        "the shard holds accounts under another bucket key than the directory's");
  }
  return connection.Run(kSetKey, PgParams().Bytes(key), "writing").status();
}

// Inside the directory's transaction: the map as stored. kCorrupt when malformed.
Result<BucketMap> ReadMap(PgConnection& directory) {
  HV_ASSIGN_OR_RETURN(const std::vector<BucketRange> ranges, ReadBucketMap(directory));
  auto map = BucketMap::FromRanges(ranges);
  if (!map.ok()) return Status::Corrupt("the share store's bucket map is malformed");
  return map;
}

// Connects to shard `index` of the map; the error names the shard by index, not by URI.
Result<std::unique_ptr<PgConnection>> ConnectShard(const std::string& uri, std::size_t index) {
  auto connection = PgConnection::Connect(uri);
  if (!connection.ok()) return connection.status().WithContext("shard " + std::to_string(index));
  return connection;
}

}  // namespace

Result<ShardMap> ReadShardMap(const std::string& directory_uri) {
  HV_ASSIGN_OR_RETURN(auto directory, PgConnection::Connect(directory_uri));
  BucketMap map;
  std::uint64_t directory_accounts = 0;
  HV_RETURN_IF_ERROR(directory->InTransaction([&]() -> Status {
    HV_RETURN_IF_ERROR(CreateOrMigratePostgresSchema(*directory).status());
    HV_ASSIGN_OR_RETURN(map, ReadMap(*directory));
    HV_ASSIGN_OR_RETURN(directory_accounts, CountAccounts(*directory));
    return Status::Ok();
  }));
  ShardMap shown;
  for (const BucketRange& run : map.Runs()) {
    shown.runs.push_back({.first = run.first,
                          .last = run.last,
                          .shard = static_cast<std::size_t>(
                              std::ranges::find(map.shards(), run.shard) - map.shards().begin())});
  }
  shown.shards.push_back({.uri = "", .accounts = directory_accounts});
  for (std::size_t index = 1; index < map.shards().size(); ++index) {
    ShardOfMap shard{.uri = map.shards()[index]};
    auto connection = PgConnection::Connect(shard.uri);
    auto accounts =
        connection.ok() ? CountAccounts(**connection) : Result<std::uint64_t>(connection.status());
    if (accounts.ok()) shard.accounts = *accounts;
    shown.shards.push_back(std::move(shard));
  }
  return shown;
}

Status AssignBuckets(const std::string& directory_uri, std::uint32_t first, std::uint32_t last,
                     const std::string& shard_uri) {
  if (!shard_uri.empty()) {
    HV_RETURN_IF_ERROR(CheckShardUri(shard_uri));
    if (shard_uri == directory_uri) {
      return Status::InvalidInput("name the directory `directory`, not by its URI");
    }
  }
  HV_ASSIGN_OR_RETURN(auto directory, PgConnection::Connect(directory_uri));
  return directory->InTransaction([&]() -> Status {
    HV_RETURN_IF_ERROR(directory->Execute(kLockMapChanges, "locking"));
    HV_ASSIGN_OR_RETURN(const BucketKey key, CreateOrMigratePostgresSchema(*directory));
    HV_ASSIGN_OR_RETURN(const BucketMap old_map, ReadMap(*directory));
    HV_ASSIGN_OR_RETURN(const BucketMap new_map, old_map.WithAssigned(first, last, shard_uri));
    // The databases whose buckets change: the shard that gains them first, then those that
    // lose them; the map changes last, in this transaction. A failure part way leaves the map
    // as it was and each bucket held by its old database, its new one, both or neither (its
    // writes refused until the command is run again, which completes the change); no bucket is
    // ever routed to a database while another one holds its accounts.
    std::vector<std::string> changed = {shard_uri};
    for (std::uint32_t bucket = first; bucket <= last; ++bucket) {
      const std::string& owner = old_map.shards()[old_map.ShardOf(bucket)];
      if (std::ranges::find(changed, owner) == changed.end()) changed.push_back(owner);
    }
    // Errors name a shard by its index in `server shards` before the change (or after, for a
    // new one).
    const auto index_of = [&](const std::string& uri) {
      const auto& shards = std::ranges::find(old_map.shards(), uri) != old_map.shards().end()
                               ? old_map.shards()
                               : new_map.shards();
      return static_cast<std::size_t>(std::ranges::find(shards, uri) - shards.begin());
    };
    for (const std::string& uri : changed) {
      if (uri.empty()) {
        HV_RETURN_IF_ERROR(HoldOnly(*directory, new_map.RunsOf(uri)));
        continue;
      }
      const std::size_t index = index_of(uri);
      HV_ASSIGN_OR_RETURN(auto shard, ConnectShard(uri, index));
      const Status held = shard->InTransaction([&]() -> Status {
        HV_ASSIGN_OR_RETURN(const BucketKey shard_key, CreateOrMigratePostgresSchema(*shard));
        if (uri == shard_uri) HV_RETURN_IF_ERROR(AdoptKey(*shard, shard_key, key));
        return HoldOnly(*shard, new_map.RunsOf(uri));
      });
      HV_RETURN_IF_ERROR(held.WithContext("shard " + std::to_string(index)));
    }
    HV_RETURN_IF_ERROR(directory->Run(kForgetMap, PgParams(), "writing").status());
    for (const BucketRange& range : new_map.StoredRanges()) {
      HV_RETURN_IF_ERROR(directory
                             ->Run(kInsertMap,
                                   PgParams()
                                       .Int(std::int64_t{range.first})
                                       .Int(std::int64_t{range.last})
                                       .Text(range.shard),
                                   "writing")
                             .status());
    }
    return Status::Ok();
  });
}

}  // namespace hashveil::psi
