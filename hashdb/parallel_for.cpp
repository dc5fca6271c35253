#include "parallel_for.h"

#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace hashveil::hashdb {
namespace {

// Small enough for ~10 progress updates a second at blinding speed (~80 us per item), large
// enough that the shared counter is not contended.
constexpr std::uint64_t kChunk = 1024;

}  // namespace

unsigned ResolveThreadCount(unsigned threads) {
  if (threads != 0) return threads;
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware == 0 ? 1 : hardware;
}

Status ParallelFor(std::uint64_t count, unsigned threads,
                   const std::function<Status(std::uint64_t, std::uint64_t)>& body,
                   const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> done{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  Status first_error;

  auto run_chunks = [&](bool report) {
    while (!failed.load(std::memory_order_relaxed)) {
      const std::uint64_t begin = next.fetch_add(kChunk);
      if (begin >= count) break;
      const std::uint64_t end = std::min(count, begin + kChunk);
      Status status = body(begin, end);
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!failed.exchange(true)) first_error = std::move(status);
        break;
      }
      const std::uint64_t now_done = done.fetch_add(end - begin) + (end - begin);
      if (report && progress) progress(now_done, count);
    }
  };

  const std::uint64_t chunks = (count + kChunk - 1) / kChunk;
  const std::uint64_t helpers = std::min<std::uint64_t>(ResolveThreadCount(threads), chunks);
  std::vector<std::thread> workers;
  for (std::uint64_t i = 1; i < helpers; ++i) {
    try {
      workers.emplace_back(run_chunks, false);
    } catch (const std::system_error&) {
      break;  // no more threads available: the ones we have finish the work
    }
  }
  run_chunks(true);
  for (auto& worker : workers) worker.join();
  if (failed) return first_error;
  if (progress) progress(count, count);
  return Status::Ok();
}

}  // namespace hashveil::hashdb
