// The bucket map of a sharded PostgreSQL share store (issue 13): which database (shard) holds
// each of the kAccountBuckets buckets. Kept in the directory database's bucket_map table as
// ranges naming shards by libpq URI; a bucket no range names stays on the directory itself, so
// an empty map is the unsharded store.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "account_bucket.h"
#include "hashveil/common/status.h"

namespace hashveil::psi {

// Buckets first..last (inclusive) on `shard`: a URI, or empty for the directory.
struct BucketRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  std::string shard;
  friend bool operator==(const BucketRange&, const BucketRange&) = default;
};

// kInvalidInput unless `uri` is a postgresql:// or postgres:// URI libpq parses, without a
// password (the map is readable to every serve process and `server shards --show-uris` prints
// it; libpq reads ~/.pgpass or PGPASSFILE). The error never repeats the URI.
Status CheckShardUri(const std::string& uri);

// Immutable; copyable.
class BucketMap {
 public:
  // Every bucket on the directory.
  BucketMap() : shards_{""} {}
  // kInvalidInput for a range outside [0, kAccountBuckets) or backwards, ranges that overlap,
  // or a shard URI CheckShardUri refuses.
  static Result<BucketMap> FromRanges(std::span<const BucketRange> ranges);

  // This map with first..last moved to `shard` ("" for the directory); kInvalidInput as
  // FromRanges.
  Result<BucketMap> WithAssigned(std::uint32_t first, std::uint32_t last,
                                 const std::string& shard) const;

  // Index 0 is the directory (""), then every other shard in the order of its lowest bucket.
  const std::vector<std::string>& shards() const { return shards_; }
  std::size_t ShardOf(std::uint32_t bucket) const { return shard_of_[bucket]; }
  // Whether every bucket is on the directory.
  bool empty() const { return shards_.size() == 1; }

  // Maximal runs of buckets on one shard, ascending, covering every bucket; the directory's
  // included (shard "").
  std::vector<BucketRange> Runs() const;
  // What bucket_map stores: the runs not on the directory.
  std::vector<BucketRange> StoredRanges() const;
  // The runs of shard `shard` (a URI, "" the directory); none for a shard not in the map.
  std::vector<BucketRange> RunsOf(std::string_view shard) const;

 private:
  // Per bucket, its shard's URI ("" the directory); the indexes follow from it.
  static BucketMap FromPerBucket(const std::array<std::string, kAccountBuckets>& uris);

  std::vector<std::string> shards_;
  std::array<std::uint16_t, kAccountBuckets> shard_of_{};
};

}  // namespace hashveil::psi
