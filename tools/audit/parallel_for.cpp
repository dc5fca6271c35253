#include "audit/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace hashveil::audit {

void ParallelFor(std::uint64_t count, unsigned threads, const std::function<void(std::uint64_t)>& fn,
                 const ItemProgress& progress) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<std::uint64_t> next{0}, done{0};
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < threads; ++w) {
    workers.emplace_back([&] {
      for (std::uint64_t i = next++; i < count; i = next++) {
        fn(i);
        ++done;
      }
    });
  }
  while (progress && done.load() < count) {
    progress(done.load(), count);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (std::thread& worker : workers) worker.join();
  if (progress) progress(count, count);
}

}  // namespace hashveil::audit
