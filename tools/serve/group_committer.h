// Group commit for the voucher service's write path. Request threads open vouchers in parallel
// (the CPU-heavy step), then hand them here; every voucher that arrives while a transaction is
// syncing to disk waits and goes into the next one, so a burst of N vouchers costs one fsync,
// not N, and the share store has one voucher writer at a time instead of N connections polling
// SQLite's busy handler for the write lock (whose sleeps of up to 100 ms made the latency tail).
//
// No extra thread: the first waiting caller leads, commits the whole queue with a pooled
// connection and wakes the others (leader/follower). Commit returns only after the transaction
// holding its voucher committed or failed, so "answered 2xx only after commit" still holds, and
// the store's (account, voucher id) key keeps a voucher sent twice, even within one batch,
// counted once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/psi/share_store.h"
#include "hashveil/psi/voucher_opener.h"
#include "store_pool.h"

namespace hashveil::tools::serve {

// Thread-safe.
class GroupCommitter {
 public:
  // A transaction takes at most `max_batch` vouchers, which bounds how long one holds the lock.
  explicit GroupCommitter(StorePool& stores, std::size_t max_batch = 128)
      : stores_(stores), max_batch_(max_batch) {}

  // Blocks until the voucher is committed: true when new, false when the account had it before.
  // kIoError (nothing of its transaction was stored); kInvalidInput for a bad account name
  // (refused alone, before it joins a batch).
  Result<bool> Commit(std::string_view account, const psi::OpenedVoucher& voucher);

 private:
  struct Pending {
    psi::AccountVoucher voucher;
    std::optional<Result<bool>> outcome;  // set by the leader that committed it
  };

  // Commits `batch` in one transaction. Called by the leader without mutex_ held.
  Result<std::vector<bool>> CommitBatch(const std::vector<Pending*>& batch);

  StorePool& stores_;
  const std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable committed_;
  std::vector<Pending*> queue_;  // waiting for the next transaction
  bool leader_active_ = false;
};

}  // namespace hashveil::tools::serve
