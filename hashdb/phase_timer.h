// Wall-clock and process CPU seconds per phase of a long job (DB build, benchmarks). On a
// shared machine the CPU figure is the one that tells the per-core rate.
#pragma once

#include <time.h>

#include <chrono>

namespace hashveil::hashdb {

class PhaseTimer {
 public:
  struct Lap {
    double wall_seconds;
    double cpu_seconds;  // summed over the process's threads
  };
  // The time since the previous lap (or construction).
  Lap Next() {
    const auto wall = std::chrono::steady_clock::now();
    const double cpu = ProcessCpuSeconds();
    const Lap lap{std::chrono::duration<double>(wall - wall_).count(), cpu - cpu_};
    wall_ = wall;
    cpu_ = cpu;
    return lap;
  }

 private:
  static double ProcessCpuSeconds() {
    timespec now{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
  }
  std::chrono::steady_clock::time_point wall_ = std::chrono::steady_clock::now();
  double cpu_ = ProcessCpuSeconds();
};

}  // namespace hashveil::hashdb
