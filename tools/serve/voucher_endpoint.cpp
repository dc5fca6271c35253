#include "voucher_endpoint.h"

#include <chrono>
#include <optional>
#include <regex>

namespace hashveil::tools::serve {
namespace {

using Clock = std::chrono::steady_clock;

int HttpStatusFor(RefusalReason reason) {
  switch (reason) {
    case RefusalReason::kUnauthorized: return 401;
    case RefusalReason::kTooLarge: return 413;
    case RefusalReason::kWrongEpoch: return 409;
    case RefusalReason::kStoreUnavailable: return 503;
    case RefusalReason::kBadAccount:
    case RefusalReason::kMalformed:
    case RefusalReason::kUnsupportedVersion: return 400;
  }
  return 400;
}

std::optional<std::string> AccountOf(std::string_view path) {
  static const std::regex route(kVoucherRoute);
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_match(path.begin(), path.end(), match, route)) return std::nullopt;
  return match[1].str();
}

}  // namespace

VoucherAnswer VoucherEndpoint::Handle(std::string_view path, std::string_view authorization,
                                      std::span<const std::uint8_t> body) {
  const auto started = Clock::now();
  IntakeOutcome outcome{.kind = IntakeOutcome::Kind::kRefused,
                        .reason = RefusalReason::kUnauthorized};
  if (token_.Authorizes(authorization)) {
    const auto account = AccountOf(path);
    outcome = account ? intake_.Submit(*account, body)
                      : IntakeOutcome{.kind = IntakeOutcome::Kind::kRefused,
                                      .reason = RefusalReason::kBadAccount};
  }
  VoucherAnswer answer;
  switch (outcome.kind) {
    case IntakeOutcome::Kind::kAccepted:
      metrics_.CountAccepted();
      answer = {.status = 201, .text = "accepted"};
      break;
    case IntakeOutcome::Kind::kDuplicate:
      metrics_.CountDuplicate();
      answer = {.status = 200, .text = "accepted before"};
      break;
    case IntakeOutcome::Kind::kRefused:
      metrics_.CountRefused(outcome.reason);
      answer = {.status = HttpStatusFor(outcome.reason),
                .text = "refused: " + std::string(RefusalReasonName(outcome.reason)),
                .challenge = outcome.reason == RefusalReason::kUnauthorized,
                .retry_after = outcome.reason == RefusalReason::kStoreUnavailable};
      break;
  }
  metrics_.ObserveRequest(Clock::now() - started);
  return answer;
}

}  // namespace hashveil::tools::serve
