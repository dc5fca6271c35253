// The service's --listen argument: HOST:PORT, with an IPv6 host in brackets ([::1]:8080).
#pragma once

#include <string>
#include <string_view>

#include "hashveil/common/status.h"

namespace hashveil::tools::serve {

struct ListenAddress {
  std::string host;
  int port = 0;  // 0: any free port
};

// kInvalidInput for a missing or empty host, a port that is not a number in 0..65535.
Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace hashveil::tools::serve
