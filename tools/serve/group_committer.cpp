#include "group_committer.h"

#include <algorithm>
#include <chrono>

namespace hashveil::tools::serve {

Result<bool> GroupCommitter::Commit(std::string_view account, const psi::OpenedVoucher& voucher) {
  // Checked here, not in the batch: one caller's bad name must not fail the others' commits.
  if (!psi::IsValidAccountName(account)) return Status::InvalidInput("account name is not valid");
  Pending pending{.voucher = {.account = account, .voucher = voucher}, .outcome = std::nullopt};
  std::unique_lock lock(mutex_);
  queue_.push_back(&pending);
  while (!pending.outcome) {
    if (leader_active_) {
      committed_.wait(lock);
      continue;
    }
    // Lead: take the oldest vouchers (this one among them unless max_batch_ older ones wait).
    leader_active_ = true;
    const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(std::min(queue_.size(), max_batch_));
    const std::vector<Pending*> batch(queue_.begin(), end);
    queue_.erase(queue_.begin(), end);
    lock.unlock();
    const Result<std::vector<bool>> added = CommitBatch(batch);
    lock.lock();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (added.ok()) batch[i]->outcome.emplace(static_cast<bool>((*added)[i]));
      else batch[i]->outcome.emplace(added.status());
    }
    leader_active_ = false;
    committed_.notify_all();
  }
  return *std::move(pending.outcome);
}

Result<std::vector<bool>> GroupCommitter::CommitBatch(const std::vector<Pending*>& batch) {
  std::vector<psi::AccountVoucher> vouchers;
  vouchers.reserve(batch.size());
  for (const Pending* pending : batch) vouchers.push_back(pending->voucher);
  const auto started = std::chrono::steady_clock::now();
  Result<std::vector<bool>> added = [&]() -> Result<std::vector<bool>> {
    HV_ASSIGN_OR_RETURN(auto store, stores_.Acquire());
    return store->RecordAll(vouchers);
  }();
  stores_.ObserveCommit(std::chrono::steady_clock::now() - started, vouchers.size(), added.ok());
  return added;
}

}  // namespace hashveil::tools::serve
