// The shared secret that guards the voucher service's write endpoints: a bearer token read from
// a file (RFC 6750 "Authorization: Bearer <token>"), compared in constant time.
#pragma once

#include <filesystem>
#include <string_view>

#include "hashveil/common/secret.h"
#include "hashveil/common/status.h"

namespace hashveil::tools::serve {

// Tokens shorter than this are refused at load time: a guessable token guards nothing.
inline constexpr std::size_t kMinBearerTokenBytes = 16;
inline constexpr std::size_t kMaxBearerTokenBytes = 512;

// Immutable after Load; Authorizes is thread-safe.
class BearerToken {
 public:
  // The file's first line, without its line ending. kNotFound, kIoError; kInvalidInput when the
  // token is shorter than kMinBearerTokenBytes, longer than kMaxBearerTokenBytes, or holds
  // characters outside RFC 6750's token68 set.
  static Result<BearerToken> LoadFromFile(const std::filesystem::path& path);
  // As LoadFromFile, from the token's text (for tests and for clients that hold it already).
  static Result<BearerToken> FromText(std::string_view token);

  // True when `authorization` (the header's value) is "Bearer <this token>". The comparison
  // takes the same time wherever the first difference is.
  bool Authorizes(std::string_view authorization) const;

  // The header value a client sends.
  std::string AuthorizationHeader() const;

 private:
  explicit BearerToken(SecretBytes token) : token_(std::move(token)) {}
  SecretBytes token_;
};

}  // namespace hashveil::tools::serve
