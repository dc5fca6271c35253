#include "threshold_scheduler.h"

namespace hashveil::tools::serve {

ThresholdScheduler::ThresholdScheduler(
    RunOnce run, std::chrono::milliseconds interval, ServiceMetrics& metrics,
    std::function<void(const Result<ProcessingSummary>&)> on_run)
    : run_(std::move(run)), interval_(interval), metrics_(metrics), on_run_(std::move(on_run)) {
  thread_ = std::thread([this] { Loop(); });
}

ThresholdScheduler::~ThresholdScheduler() { Stop(); }

Result<ProcessingSummary> ThresholdScheduler::RunNow() {
  std::lock_guard lock(run_mutex_);
  Result<ProcessingSummary> summary = run_();
  metrics_.CountProcessingRun(summary.ok() ? summary->reports_written : 0, !summary.ok());
  on_run_(summary);
  return summary;
}

void ThresholdScheduler::Stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ThresholdScheduler::Loop() {
  std::unique_lock lock(stop_mutex_);
  while (!stop_requested_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    (void)RunNow();  // its outcome went to on_run_ and the metrics
    lock.lock();
  }
}

}  // namespace hashveil::tools::serve
