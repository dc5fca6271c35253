#include "sharded_share_store.h"

#include <algorithm>
#include <string>
#include <vector>

#include "postgres_share_store.h"
#include "share_store_rows.h"

namespace hashveil::psi {
namespace {

class ShardedShareStore final : public ShareStore {
 public:
  ShardedShareStore(std::unique_ptr<ShareStore> directory, const BucketKey& bucket_key,
                    BucketMap map)
      : directory_(std::move(directory)),
        bucket_key_(bucket_key),
        map_(std::move(map)),
        shards_(map_.shards().size()) {}

  Result<std::vector<ServedDb>> LoadServedDbs() override { return directory_->LoadServedDbs(); }

  Status AddServedDb(const ServedDbParams& params, std::int64_t now,
                     std::int64_t transition_seconds) override {
    return directory_->AddServedDb(params, now, transition_seconds);
  }

  Result<std::vector<bool>> RecordAll(std::span<const AccountVoucher> vouchers) override {
    // A bad name anywhere stores nothing anywhere.
    HV_RETURN_IF_ERROR(CheckAccountNames(vouchers));
    std::vector<std::vector<std::size_t>> parts(shards_.size());
    for (std::size_t i = 0; i < vouchers.size(); ++i) {
      parts[map_.ShardOf(AccountBucket(bucket_key_, vouchers[i].account))].push_back(i);
    }
    std::vector<bool> added(vouchers.size());
    for (std::size_t shard = 0; shard < parts.size(); ++shard) {
      if (parts[shard].empty()) continue;
      std::vector<AccountVoucher> part;
      for (const std::size_t i : parts[shard]) part.push_back(vouchers[i]);
      HV_ASSIGN_OR_RETURN(ShareStore * store, Shard(shard));
      HV_ASSIGN_OR_RETURN(const std::vector<bool> part_added, store->RecordAll(part));
      for (std::size_t j = 0; j < part.size(); ++j) added[parts[shard][j]] = part_added[j];
    }
    return added;
  }

  Status RecordRefused(std::string_view account) override {
    if (!IsValidAccountName(account)) return Status::InvalidInput("account name is not valid");
    HV_ASSIGN_OR_RETURN(ShareStore * store, ShardOfAccount(account));
    return store->RecordRefused(account);
  }

  Result<std::vector<AccountCounts>> ListAccounts() override {
    std::vector<AccountCounts> accounts;
    for (std::size_t shard = 0; shard < shards_.size(); ++shard) {
      HV_ASSIGN_OR_RETURN(ShareStore * store, Shard(shard));
      HV_ASSIGN_OR_RETURN(std::vector<AccountCounts> listed, store->ListAccounts());
      std::ranges::move(listed, std::back_inserter(accounts));
    }
    // Names compare as bytes, as each shard's COLLATE "C" list does.
    std::ranges::sort(accounts, {}, &AccountCounts::account);
    return accounts;
  }

  Result<std::vector<StoredCandidate>> LoadCandidates(std::string_view account) override {
    HV_ASSIGN_OR_RETURN(ShareStore * store, ShardOfAccount(account));
    return store->LoadCandidates(account);
  }

  Result<std::vector<std::uint32_t>> DirtyBuckets() override {
    std::vector<std::uint32_t> buckets;
    for (std::size_t shard = 0; shard < shards_.size(); ++shard) {
      HV_ASSIGN_OR_RETURN(ShareStore * store, Shard(shard));
      HV_ASSIGN_OR_RETURN(const std::vector<std::uint32_t> dirty, store->DirtyBuckets());
      buckets.insert(buckets.end(), dirty.begin(), dirty.end());
    }
    std::ranges::sort(buckets);
    buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
    return buckets;
  }

  Result<std::optional<ClaimedBucket>> ClaimBucket(std::uint32_t bucket) override {
    HV_ASSIGN_OR_RETURN(ShareStore * store, ShardOfBucket(bucket));
    return store->ClaimBucket(bucket);
  }

  Status FinishAccount(std::uint32_t bucket, const DirtyAccount& account) override {
    HV_ASSIGN_OR_RETURN(ShareStore * store, ShardOfBucket(bucket));
    return store->FinishAccount(bucket, account);
  }

  Status ReleaseBucket(std::uint32_t bucket) override {
    HV_ASSIGN_OR_RETURN(ShareStore * store, ShardOfBucket(bucket));
    return store->ReleaseBucket(bucket);
  }

 private:
  // Shard `index` of the map (0: the directory), opened on first use.
  Result<ShareStore*> Shard(std::size_t index) {
    if (index == 0) return directory_.get();
    if (shards_[index] == nullptr) {
      auto opened = OpenPostgresShard(map_.shards()[index], bucket_key_, *directory_);
      if (!opened.ok()) return opened.status().WithContext("shard " + std::to_string(index));
      shards_[index] = std::move(opened).value();
    }
    return shards_[index].get();
  }
  Result<ShareStore*> ShardOfBucket(std::uint32_t bucket) {
    if (bucket >= kAccountBuckets) return Status::InvalidInput("no such bucket");
    return Shard(map_.ShardOf(bucket));
  }
  Result<ShareStore*> ShardOfAccount(std::string_view account) {
    return Shard(map_.ShardOf(AccountBucket(bucket_key_, account)));
  }

  // Declared first, so destroyed last: the shards read the served DBs through it.
  const std::unique_ptr<ShareStore> directory_;
  const BucketKey bucket_key_;
  const BucketMap map_;
  std::vector<std::unique_ptr<ShareStore>> shards_;  // [0] unused: the directory
};

}  // namespace

std::unique_ptr<ShareStore> MakeShardedShareStore(std::unique_ptr<ShareStore> directory,
                                                  const BucketKey& bucket_key, BucketMap map) {
  return std::make_unique<ShardedShareStore>(std::move(directory), bucket_key, std::move(map));
}

}  // namespace hashveil::psi
