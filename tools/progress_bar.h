// A progress bar on stderr for long-running commands. Drawn only when stderr is a terminal, so
// logs and pipes stay clean; at most ~10 redraws a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace hashveil::tools {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::uint64_t total);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Sets the count done so far (thread-compatible: call from one thread).
  void Update(std::uint64_t done);
  void Advance(std::uint64_t by = 1) { Update(done_ + by); }
  // Draws the final state and ends the line.
  void Finish();

 private:
  void Draw();

  std::string label_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace hashveil::tools
