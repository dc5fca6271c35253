// Runs threshold processing in the background of the voucher service: every `interval`, and on
// demand (POST /v1/process). Runs never overlap; an on-demand request waits for a run in progress
// to end and then runs again, so what it reports includes every voucher accepted before it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "hashveil/common/status.h"
#include "service_metrics.h"

namespace hashveil::tools::serve {

struct ProcessingSummary {
  std::uint64_t accounts = 0;  // processed (on PostgreSQL, the dirty ones this run claimed)
  std::uint64_t reports_written = 0;
  // One `account=NAME vouchers=N ...` line per account processed, by name, as `hashveil server
  // process` prints.
  std::string lines;
};

// Thread-safe. The destructor stops the background thread and waits for a run in progress.
class ThresholdScheduler {
 public:
  using RunOnce = std::function<Result<ProcessingSummary>()>;

  // `on_run` sees every run's outcome (the service logs the summary lines).
  ThresholdScheduler(RunOnce run, std::chrono::milliseconds interval, ServiceMetrics& metrics,
                     std::function<void(const Result<ProcessingSummary>&)> on_run);
  ~ThresholdScheduler();
  ThresholdScheduler(const ThresholdScheduler&) = delete;
  ThresholdScheduler& operator=(const ThresholdScheduler&) = delete;

  // One run now, on the caller's thread.
  Result<ProcessingSummary> RunNow();
  // Stops the background thread (idempotent).
  void Stop();

 private:
  void Loop();

  const RunOnce run_;
  const std::chrono::milliseconds interval_;
  ServiceMetrics& metrics_;
  const std::function<void(const Result<ProcessingSummary>&)> on_run_;
  std::mutex run_mutex_;  // serialises runs
  std::mutex stop_mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hashveil::tools::serve
