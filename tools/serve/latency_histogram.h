// A Prometheus histogram of durations (seconds), updated lock-free from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace hashveil::tools::serve {

// Thread-safe.
class LatencyHistogram {
 public:
  // Upper bounds of the buckets, in seconds (+Inf is implicit).
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1.0,  2.5,   5.0};

  void Observe(std::chrono::nanoseconds duration);

  // The HELP and TYPE lines and the _bucket, _sum and _count series of `name`.
  std::string Render(std::string_view name, std::string_view help) const;

 private:
  // Per bucket (not cumulative; summed when rendered), the last one is +Inf.
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace hashveil::tools::serve
