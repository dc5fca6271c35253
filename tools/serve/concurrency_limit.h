// A counting semaphore with scoped permits: at most `limit` holders at once, the others wait.
// The service holds many connections (most of them waiting on slow clients) but opens and
// commits only a few vouchers at once, so the CPU and the store see a bounded load.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace hashveil::tools::serve {

// Thread-safe.
class ConcurrencyLimit {
 public:
  explicit ConcurrencyLimit(std::size_t limit) : free_(limit) {}
  ConcurrencyLimit(const ConcurrencyLimit&) = delete;
  ConcurrencyLimit& operator=(const ConcurrencyLimit&) = delete;

  class Permit {
   public:
    explicit Permit(ConcurrencyLimit& limit) : limit_(limit) { limit_.Take(); }
    ~Permit() { limit_.Give(); }
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;

   private:
    ConcurrencyLimit& limit_;
  };

 private:
  void Take() {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [this] { return free_ > 0; });
    --free_;
  }
  void Give() {
    {
      std::lock_guard lock(mutex_);
      ++free_;
    }
    freed_.notify_one();
  }

  std::mutex mutex_;
  std::condition_variable freed_;
  std::size_t free_;
};

}  // namespace hashveil::tools::serve
