#include "deadline_stream.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hashveil::tools::serve {
namespace {

// poll() for `events` until `until`; true when the socket is ready (or failed: the next call
// on it reports that).
bool PollUntil(socket_t sock, short events, DeadlineStream::Clock::time_point until) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
        until - DeadlineStream::Clock::now());
    if (left.count() <= 0) return false;
    pollfd fd{.fd = sock, .events = events, .revents = 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1 << 30)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return true;
  }
}

void NameOf(const sockaddr_storage& address, socklen_t length, std::string& ip, int& port) {
  char host[NI_MAXHOST];
  char service[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host, sizeof host,
                    service, sizeof service, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return;
  }
  ip = host;
  port = std::atoi(service);
}

}  // namespace

bool DeadlineStream::WaitReadable(Clock::time_point until) const {
  const auto now = Clock::now();
  if (now >= deadline_) {
    expired_ = true;
    return false;
  }
  const auto read_limit = now + read_timeout_;
  const auto end = std::min({until, deadline_, read_limit});
  if (PollUntil(sock_, POLLIN, end)) return true;
  if (end == deadline_) expired_ = true;
  return false;
}

bool DeadlineStream::is_readable() const {
  return has_buffered() || WaitReadable(Clock::time_point::max());
}

bool DeadlineStream::is_writable() const {
  return PollUntil(sock_, POLLOUT, Clock::now() + write_timeout_);
}

ssize_t DeadlineStream::read(char* ptr, size_t size) {
  if (!has_buffered()) {
    if (!WaitReadable(Clock::time_point::max())) return -1;
    ssize_t received;
    do {
      received = ::recv(sock_, buffer_.data(), buffer_.size(), 0);
    } while (received < 0 && errno == EINTR);
    if (received <= 0) return received;
    begin_ = 0;
    end_ = static_cast<std::size_t>(received);
  }
  const std::size_t n = std::min(size, end_ - begin_);
  std::memcpy(ptr, buffer_.data() + begin_, n);
  begin_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t DeadlineStream::write(const char* ptr, size_t size) {
  if (!is_writable()) return -1;
  ssize_t sent;
  do {
    sent = ::send(sock_, ptr, size, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  return sent;
}

void DeadlineStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    NameOf(address, length, ip, port);
  }
}

void DeadlineStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    NameOf(address, length, ip, port);
  }
}

}  // namespace hashveil::tools::serve
