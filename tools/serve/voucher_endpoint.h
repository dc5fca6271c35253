// POST /v1/accounts/{account}/vouchers below the socket: the request's path, Authorization
// header and body in, the answer out, counted in the metrics. voucher_service.cpp routes the
// HTTP request here unchanged, and tests/fuzz/http_voucher_fuzzer.cpp drives the same code.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "bearer_token.h"
#include "service_metrics.h"
#include "voucher_intake.h"

namespace hashveil::tools::serve {

// The route's pattern (std::regex, matched against the decoded path); group 1 is the account.
inline constexpr const char* kVoucherRoute = R"(/v1/accounts/([^/]+)/vouchers)";

struct VoucherAnswer {
  int status = 400;
  std::string text;                  // the body, one line without its line ending
  bool challenge = false;            // 401: send "WWW-Authenticate: Bearer"
  bool retry_after = false;          // 503: send "Retry-After: 1"
};

// Thread-safe: Handle may be called from every request thread at once.
class VoucherEndpoint {
 public:
  // Every referenced object must outlive the endpoint.
  VoucherEndpoint(const BearerToken& token, VoucherIntake& intake, ServiceMetrics& metrics)
      : token_(token), intake_(intake), metrics_(metrics) {}

  // The answer never says whether the voucher opened: the client must not learn that. A path
  // outside kVoucherRoute is refused as a bad account (the server routes only matching paths).
  VoucherAnswer Handle(std::string_view path, std::string_view authorization,
                       std::span<const std::uint8_t> body);

 private:
  const BearerToken& token_;
  VoucherIntake& intake_;
  ServiceMetrics& metrics_;
};

}  // namespace hashveil::tools::serve
