// ShareStore connections for the service. A ShareStore is thread-compatible (one SQLite or
// PostgreSQL connection), so each user borrows one and gives it back: the group commit's leader
// (one at a time), threshold processing, a refusal being counted. The pool grows to the number
// in use at once, a few; SQLite serialises their writes (busy timeout 10 s), PostgreSQL those to
// one account.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/psi/share_store.h"

namespace hashveil::tools::serve {

// Thread-safe.
class StorePool {
 public:
  // `location`: a --store value, a SQLite path or a PostgreSQL URI (psi::OpenShareStore).
  explicit StorePool(std::string location) : location_(std::move(location)) {}

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

  // An idle connection, or a new one. The errors of psi::OpenShareStore.
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<psi::ShareStore> store);

  const std::string location_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<psi::ShareStore>> idle_;
};

}  // namespace hashveil::tools::serve
