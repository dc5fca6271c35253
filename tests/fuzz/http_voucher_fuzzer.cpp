// The voucher service's write endpoint below the socket, as `hashveil serve` runs it: the account
// from the request path, the bearer token check, then the voucher intake (size, version, epoch,
// parse, open) and the commit to a share store, through tools/serve's VoucherEndpoint. The
// store lives in a scratch file for the whole run, so repeated vouchers take the duplicate path.
#include <cstdint>
#include <memory>
#include <regex>
#include <span>
#include <string>

#include "bearer_token.h"
#include "fuzz/fuzz_fixture.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/http_voucher_input.h"
#include "fuzz/message_check.h"
#include "fuzz/scratch_file.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/psi/share_store.h"
#include "hashveil/psi/voucher_builder.h"
#include "hashveil/psi/voucher_opener.h"
#include "service_metrics.h"
#include "store_pool.h"
#include "voucher_endpoint.h"
#include "voucher_intake.h"

namespace hashveil::fuzz {
namespace {

using tools::serve::VoucherAnswer;

std::unique_ptr<psi::VoucherOpener> FixtureOpener() {
  const FixtureDb& fixture = TheFixtureDb();
  auto secret = hashdb::LoadServerSecret(fixture.server_secret);
  HV_FUZZ_CHECK(secret.ok());
  auto opener = psi::VoucherOpener::Create(psi::VoucherBuilder::ShapeOf(*fixture.loaded),
                                           secret->alpha);
  HV_FUZZ_CHECK(opener.ok());
  return std::move(opener).value();
}

tools::serve::BearerToken FuzzToken() {
  auto token = tools::serve::BearerToken::FromText(kHttpFuzzToken);
  HV_FUZZ_CHECK(token.ok());
  return std::move(token).value();
}

// The endpoint as `hashveil serve` builds it, over a share store in a scratch file.
struct Service {
  Service() { store_file.Remove(); }

  ScratchFile store_file{"http-voucher-store"};
  const tools::serve::BearerToken token = FuzzToken();
  tools::serve::StorePool stores{store_file.path()};
  tools::serve::VoucherIntake intake{FixtureOpener(), stores};
  tools::serve::ServiceMetrics metrics;
  tools::serve::VoucherEndpoint endpoint{token, intake, metrics};
};

// The account `path` names when it is a voucher route with a valid account name.
bool NamesValidAccount(std::string_view path) {
  static const std::regex route(tools::serve::kVoucherRoute);
  std::match_results<std::string_view::const_iterator> match;
  return std::regex_match(path.begin(), path.end(), match, route) &&
         psi::IsValidAccountName(match[1].str());
}

void HandleRequest(std::span<const std::uint8_t> data) {
  static Service service;
  const HttpVoucherInput input = SplitHttpVoucherInput(data);
  const VoucherAnswer answer = service.endpoint.Handle(input.path, input.authorization, input.body);
  const bool authorized = input.authorization == "Bearer " + std::string(kHttpFuzzToken);
  HV_FUZZ_CHECK(authorized == (answer.status != 401));
  HV_FUZZ_CHECK(answer.challenge == (answer.status == 401));
  // The store is a local file: it never fails to commit.
  HV_FUZZ_CHECK(answer.status != 503 && !answer.retry_after);
  if (answer.status == 200 || answer.status == 201) {
    HV_FUZZ_CHECK(NamesValidAccount(input.path));
    HV_FUZZ_CHECK(input.body.size() == service.intake.voucher_bytes());
    HV_FUZZ_CHECK(answer.text.starts_with("accepted"));
  } else {
    HV_FUZZ_CHECK(answer.status == 400 || answer.status == 401 || answer.status == 409);
    HV_FUZZ_CHECK(answer.text.starts_with("refused: "));
  }
  // The answer is one of a few fixed lines: it never echoes the path, the token or the body.
  HV_FUZZ_CHECK(answer.text.size() < 40 && !MessageLeaks(answer.text));
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("http_voucher", hashveil::fuzz::HandleRequest)
