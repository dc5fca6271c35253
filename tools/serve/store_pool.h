// ShareStore connections for the service. A ShareStore is thread-compatible (one SQLite or
// PostgreSQL connection), so each user borrows one and gives it back: the group commit's leader
// (one at a time), threshold processing, a refusal being counted, /healthz. The pool opens
// connections as they are needed, up to `max_connections` (serve --store-connections): a
// PostgreSQL server admits a bounded number (max_connections, 100 by default) shared by every
// serve process, so each process must bound its own. A user that finds all of them in use waits
// for one, at most `wait` (then kResourceExhausted: serve answers 503 with Retry-After).
//
// The pool also keeps the store's metrics (GET /metrics): its connections, the waits, and the
// group commit's transactions. None of them moves with what a voucher contained.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/psi/share_store.h"
#include "latency_histogram.h"

namespace hashveil::tools::serve {

// Thread-safe.
class StorePool {
 public:
  // `location`: a --store value, a SQLite path or a PostgreSQL URI (psi::OpenShareStore).
  explicit StorePool(std::string location, std::size_t max_connections = 8,
                     std::chrono::milliseconds wait = std::chrono::seconds(10));

  // A connection, returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(StorePool& pool, std::unique_ptr<psi::ShareStore> store)
        : pool_(&pool), store_(std::move(store)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    psi::ShareStore& operator*() const { return *store_; }
    psi::ShareStore* operator->() const { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<psi::ShareStore> store_;
  };

  // An idle connection, or a new one while fewer than max_connections are open, or the first
  // one given back within the wait. kResourceExhausted when none came in time; the errors of
  // psi::OpenShareStore.
  Result<Lease> Acquire();

  // One group-commit transaction of `vouchers` vouchers, committed or failed, and its duration.
  void ObserveCommit(std::chrono::nanoseconds duration, std::size_t vouchers, bool committed);

  // The store's series in Prometheus text: hashveil_store_info{backend}, its connections by
  // state, the waits for one and their timeouts, the failed opens, and the commits.
  std::string RenderPrometheus() const;

 private:
  void Release(std::unique_ptr<psi::ShareStore> store);

  const std::string location_;
  const std::size_t max_connections_;
  const std::chrono::milliseconds wait_;
  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<psi::ShareStore>> idle_;
  std::size_t open_ = 0;  // idle, leased, or being opened

  std::atomic<std::uint64_t> waits_{0}, wait_timeouts_{0}, open_failures_{0};
  std::atomic<std::uint64_t> commits_{0}, commit_failures_{0}, committed_vouchers_{0};
  LatencyHistogram commit_durations_;
};

}  // namespace hashveil::tools::serve
