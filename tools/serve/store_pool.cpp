#include "store_pool.h"

#include <fmt/format.h>

namespace hashveil::tools::serve {

StorePool::StorePool(std::string location, std::size_t max_connections,
                     std::chrono::milliseconds wait)
    : location_(std::move(location)), max_connections_(max_connections), wait_(wait) {}

StorePool::Lease::~Lease() {
  if (store_) pool_->Release(std::move(store_));
}

Result<StorePool::Lease> StorePool::Acquire() {
  {
    std::unique_lock lock(mutex_);
    const auto available = [this] { return !idle_.empty() || open_ < max_connections_; };
    if (!available()) {
      waits_.fetch_add(1, std::memory_order_relaxed);
      if (!released_.wait_for(lock, wait_, available)) {
        wait_timeouts_.fetch_add(1, std::memory_order_relaxed);
        return Status::ResourceExhausted("every share store connection stayed in use");
      }
    }
    if (!idle_.empty()) {
      std::unique_ptr<psi::ShareStore> store = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(store));
    }
    ++open_;  // counted while it opens, so the limit holds for openers running at once
  }
  auto store = psi::OpenShareStore(location_);
  if (!store.ok()) {
    open_failures_.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    released_.notify_one();
    return store.status();
  }
  return Lease(*this, std::move(store).value());
}

void StorePool::Release(std::unique_ptr<psi::ShareStore> store) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(store));
  }
  released_.notify_one();
}

void StorePool::ObserveCommit(std::chrono::nanoseconds duration, std::size_t vouchers,
                              bool committed) {
  commit_durations_.Observe(duration);
  if (committed) {
    commits_.fetch_add(1, std::memory_order_relaxed);
    committed_vouchers_.fetch_add(vouchers, std::memory_order_relaxed);
  } else {
    commit_failures_.fetch_add(1, std::memory_order_relaxed);
  }
}

std::string StorePool::RenderPrometheus() const {
  std::size_t open = 0, idle = 0;
  {
    std::lock_guard lock(mutex_);
    open = open_;
    idle = idle_.size();
  }
  const char* backend = psi::IsPostgresStoreUri(location_) ? "postgresql" : "sqlite";
  std::string out = fmt::format(
      "# HELP hashveil_store_info The share store's backend (always 1).\n"
      "# TYPE hashveil_store_info gauge\nhashveil_store_info{{backend=\"{}\"}} 1\n"
      "# HELP hashveil_store_connections Share store connections open, by state.\n"
      "# TYPE hashveil_store_connections gauge\n"
      "hashveil_store_connections{{state=\"in_use\"}} {}\n"
      "hashveil_store_connections{{state=\"idle\"}} {}\n"
      "# HELP hashveil_store_connections_max The most connections this process opens.\n"
      "# TYPE hashveil_store_connections_max gauge\nhashveil_store_connections_max {}\n",
      backend, open - idle, idle, max_connections_);
  const auto counter = [&out](std::string_view name, std::string_view help,
                              const std::atomic<std::uint64_t>& value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help,
                       value.load(std::memory_order_relaxed));
  };
  counter("hashveil_store_connection_waits_total",
          "Times every connection was in use and a user waited for one.", waits_);
  counter("hashveil_store_connection_wait_timeouts_total",
          "Waits for a connection that ended without one (answered 503).", wait_timeouts_);
  counter("hashveil_store_connection_open_failures_total",
          "Connections that could not be opened (e.g. the server unreachable).", open_failures_);
  counter("hashveil_store_commits_total", "Group-commit transactions committed.", commits_);
  counter("hashveil_store_commit_failures_total",
          "Group-commit transactions that failed (their vouchers answered 503).", commit_failures_);
  counter("hashveil_store_committed_vouchers_total",
          "Vouchers in committed transactions, repeats included (over commits: the batch size).",
          committed_vouchers_);
  out += commit_durations_.Render("hashveil_store_commit_duration_seconds",
                                  "Time of one group-commit transaction, from taking a "
                                  "connection to its commit.");
  return out;
}

}  // namespace hashveil::tools::serve
