#include "bucket_map.h"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>

#include "hashveil/psi/share_store.h"

namespace hashveil::psi {

Status CheckShardUri(const std::string& uri) {
  if (!IsPostgresStoreUri(uri)) {
    return Status::InvalidInput("a shard is named by a postgresql:// URI");
  }
  char* error = nullptr;
  const std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(
      PQconninfoParse(uri.c_str(), &error), &PQconninfoFree);
  // libpq's message may quote the URI: not repeated.
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) return Status::InvalidInput("a shard's URI is malformed");
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (std::string_view(option->keyword) == "password" && option->val != nullptr &&
        *option->val != '\0') {
      return Status::InvalidInput(
          "a shard's URI must not carry a password (libpq reads ~/.pgpass or PGPASSFILE)");
    }
  }
  return Status::Ok();
}

Result<BucketMap> BucketMap::FromRanges(std::span<const BucketRange> ranges) {
  std::array<std::string, kAccountBuckets> uris;
  std::array<bool, kAccountBuckets> named{};
  for (const BucketRange& range : ranges) {
    if (range.first > range.last || range.last >= kAccountBuckets) {
      return Status::InvalidInput("a bucket range is FIRST-LAST with 0 <= FIRST <= LAST < " +
                                  std::to_string(kAccountBuckets));
    }
    if (!range.shard.empty()) HV_RETURN_IF_ERROR(CheckShardUri(range.shard));
    for (std::uint32_t bucket = range.first; bucket <= range.last; ++bucket) {
      if (named[bucket]) return Status::InvalidInput("the bucket map's ranges overlap");
      named[bucket] = true;
      uris[bucket] = range.shard;
    }
  }
  return FromPerBucket(uris);
}

Result<BucketMap> BucketMap::WithAssigned(std::uint32_t first, std::uint32_t last,
                                          const std::string& shard) const {
  std::vector<BucketRange> ranges = Runs();
  std::erase_if(ranges, [&](const BucketRange& run) {
    return run.shard.empty() || (run.first >= first && run.last <= last);
  });
  // Runs that reach into first..last keep only what lies outside it.
  std::vector<BucketRange> kept;
  for (const BucketRange& run : ranges) {
    if (run.last < first || run.first > last) {
      kept.push_back(run);
      continue;
    }
    if (run.first < first) kept.push_back({run.first, first - 1, run.shard});
    if (run.last > last) kept.push_back({last + 1, run.last, run.shard});
  }
  kept.push_back({first, last, shard});
  return FromRanges(kept);
}

BucketMap BucketMap::FromPerBucket(const std::array<std::string, kAccountBuckets>& uris) {
  BucketMap map;
  for (std::uint32_t bucket = 0; bucket < kAccountBuckets; ++bucket) {
    const auto found = std::ranges::find(map.shards_, uris[bucket]);
    map.shard_of_[bucket] = static_cast<std::uint16_t>(found - map.shards_.begin());
    if (found == map.shards_.end()) map.shards_.push_back(uris[bucket]);
  }
  return map;
}

std::vector<BucketRange> BucketMap::Runs() const {
  std::vector<BucketRange> runs;
  for (std::uint32_t bucket = 0; bucket < kAccountBuckets; ++bucket) {
    const std::string& shard = shards_[shard_of_[bucket]];
    if (!runs.empty() && runs.back().shard == shard) {
      runs.back().last = bucket;
    } else {
      runs.push_back({bucket, bucket, shard});
    }
  }
  return runs;
}

std::vector<BucketRange> BucketMap::StoredRanges() const {
  std::vector<BucketRange> runs = Runs();
  std::erase_if(runs, [](const BucketRange& run) { return run.shard.empty(); });
  return runs;
}

std::vector<BucketRange> BucketMap::RunsOf(std::string_view shard) const {
  std::vector<BucketRange> runs = Runs();
  std::erase_if(runs, [&](const BucketRange& run) { return run.shard != shard; });
  return runs;
}

}  // namespace hashveil::psi
