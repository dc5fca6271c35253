#include "bearer_token.h"

#include <algorithm>
#include <cctype>

#include "hashveil/common/secret_file.h"

namespace hashveil::tools::serve {
namespace {

constexpr std::string_view kScheme = "Bearer ";

// RFC 6750 token68: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then "=" padding.
bool IsToken68(std::span<const std::uint8_t> token) {
  const auto padding = std::find(token.begin(), token.end(), '=');
  const bool body_ok = std::all_of(token.begin(), padding, [](std::uint8_t c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  });
  return body_ok && std::all_of(padding, token.end(), [](std::uint8_t c) { return c == '='; });
}

}  // namespace

Result<BearerToken> BearerToken::FromText(std::string_view text) {
  const std::span<const std::uint8_t> token(reinterpret_cast<const std::uint8_t*>(text.data()),
                                            text.size());
  if (token.size() < kMinBearerTokenBytes) {
    return Status::InvalidInput("bearer token is shorter than 16 characters");
  }
  if (token.size() > kMaxBearerTokenBytes) {
    return Status::InvalidInput("bearer token is longer than 512 characters");
  }
  if (!IsToken68(token)) {
    return Status::InvalidInput("bearer token holds characters outside [A-Za-z0-9-._~+/=]");
  }
  return BearerToken(SecretBytes(token));
}

Result<BearerToken> BearerToken::LoadFromFile(const std::filesystem::path& path) {
  HV_ASSIGN_OR_RETURN(const SecretBytes file, ReadSecretFile(path, 0));
  const std::span<const std::uint8_t> bytes = file.span();
  const auto line_end = std::find_if(bytes.begin(), bytes.end(),
                                     [](std::uint8_t c) { return c == '\n' || c == '\r'; });
  const auto length = static_cast<std::size_t>(line_end - bytes.begin());
  return FromText(std::string_view(reinterpret_cast<const char*>(bytes.data()), length));
}

bool BearerToken::Authorizes(std::string_view authorization) const {
  if (!authorization.starts_with(kScheme)) return false;
  authorization.remove_prefix(kScheme.size());
  // ConstantTimeEqual returns early only on a length difference, which reveals the length of a
  // token of at least 16 characters from a large alphabet: nothing an attacker can use.
  return ConstantTimeEqual(
      std::span(reinterpret_cast<const std::uint8_t*>(authorization.data()), authorization.size()),
      token_.span());
}

std::string BearerToken::AuthorizationHeader() const {
  return std::string(kScheme) +
         std::string(reinterpret_cast<const char*>(token_.data()), token_.size());
}

}  // namespace hashveil::tools::serve
