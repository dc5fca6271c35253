// How the http_voucher fuzz target reads one input: the request's path, a line feed, its
// Authorization header's value, a line feed, then the body. Neither the path nor a header value
// can hold a line feed once httplib has parsed a request, so the split loses nothing reachable.
// The seed generator writes its seeds with JoinHttpVoucherInput.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hashveil::fuzz {

// The bearer token the target's endpoint accepts.
inline constexpr std::string_view kHttpFuzzToken = "fuzz-token-0123456789abcdef";

struct HttpVoucherInput {
  std::string_view path;
  std::string_view authorization;
  std::span<const std::uint8_t> body;
};

inline HttpVoucherInput SplitHttpVoucherInput(std::span<const std::uint8_t> data) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  HttpVoucherInput input;
  const std::size_t path_end = text.find('\n');
  if (path_end == std::string_view::npos) {
    input.path = text;
    return input;
  }
  input.path = text.substr(0, path_end);
  const std::size_t header_end = text.find('\n', path_end + 1);
  if (header_end == std::string_view::npos) {
    input.authorization = text.substr(path_end + 1);
    return input;
  }
  input.authorization = text.substr(path_end + 1, header_end - path_end - 1);
  input.body = data.subspan(header_end + 1);
  return input;
}

inline std::vector<std::uint8_t> JoinHttpVoucherInput(std::string_view path,
                                                      std::string_view authorization,
                                                      std::span<const std::uint8_t> body) {
  std::vector<std::uint8_t> joined(path.begin(), path.end());
  joined.push_back('\n');
  joined.insert(joined.end(), authorization.begin(), authorization.end());
  joined.push_back('\n');
  joined.insert(joined.end(), body.begin(), body.end());
  return joined;
}

}  // namespace hashveil::fuzz
