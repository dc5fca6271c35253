#include "store_pool.h"

namespace hashveil::tools::serve {

StorePool::Lease::~Lease() {
  if (store_) pool_->Release(std::move(store_));
}

Result<StorePool::Lease> StorePool::Acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<psi::ShareStore> store = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(store));
    }
  }
  HV_ASSIGN_OR_RETURN(auto store, psi::OpenShareStore(location_));
  return Lease(*this, std::move(store));
}

void StorePool::Release(std::unique_ptr<psi::ShareStore> store) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(store));
}

}  // namespace hashveil::tools::serve
