// An httplib::Stream over a connected socket whose reads stop at a deadline: each read waits at
// most the read timeout, and none waits past the current request's deadline. Reads are buffered,
// as httplib's own SocketStream does (httplib parses headers one byte per read call).
#pragma once

#include <httplib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>

namespace hashveil::tools::serve {

// Thread-compatible: one connection, one thread.
class DeadlineStream final : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  DeadlineStream(socket_t sock, std::chrono::microseconds read_timeout,
                 std::chrono::microseconds write_timeout)
      : sock_(sock), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

  // Reads from now on end at `deadline`; clears expired().
  void SetDeadline(Clock::time_point deadline) {
    deadline_ = deadline;
    expired_ = false;
  }
  // True once a read failed because the deadline passed.
  bool expired() const { return expired_; }
  // True when the next request's first byte is here, waiting up to `until` (and up to the
  // deadline). False on timeout, on a closed connection, or when `keep_waiting` turns false
  // (checked every 100 ms: the server is stopping).
  template <typename KeepWaiting>
  bool AwaitData(Clock::time_point until, KeepWaiting keep_waiting) {
    while (keep_waiting()) {
      if (has_buffered()) return true;
      const auto slice = std::min(until, Clock::now() + std::chrono::milliseconds(100));
      if (WaitReadable(slice)) return true;
      if (expired_ || Clock::now() >= until) return false;
    }
    return false;
  }

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return sock_; }

 private:
  bool has_buffered() const { return begin_ < end_; }
  // Waits for readable data until min(`until`, deadline, a read timeout from now); sets
  // expired_ when the deadline is what ended the wait. A closed or failed socket counts as
  // readable (the read then reports it).
  bool WaitReadable(Clock::time_point until) const;

  const socket_t sock_;
  const std::chrono::microseconds read_timeout_;
  const std::chrono::microseconds write_timeout_;
  Clock::time_point deadline_ = Clock::time_point::max();
  mutable bool expired_ = false;
  std::array<char, 4096> buffer_{};
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace hashveil::tools::serve
