#include "listen_address.h"

#include <charconv>

namespace hashveil::tools::serve {

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidInput("listen address must be HOST:PORT");
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Status::InvalidInput("listen address: write an IPv6 host in brackets, [::1]:PORT");
  }
  if (host.empty()) return Status::InvalidInput("listen address has no host");
  int port = -1;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port < 0 || port > 65535) {
    return Status::InvalidInput("listen address port must be a number in 0..65535");
  }
  return ListenAddress{std::string(host), port};
}

}  // namespace hashveil::tools::serve
