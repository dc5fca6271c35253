#include "voucher_intake.h"

namespace hashveil::tools::serve {
namespace {

IntakeOutcome Refused(RefusalReason reason) {
  return {.kind = IntakeOutcome::Kind::kRefused, .reason = reason};
}

// Only the public checks refuse (VoucherOpener::Open): their outcome is the client's to know.
RefusalReason ReasonFor(const Status& opening) {
  switch (opening.code()) {
    case StatusCode::kFailedPrecondition: return RefusalReason::kWrongEpoch;
    case StatusCode::kUnsupported: return RefusalReason::kUnsupportedVersion;
    default: return RefusalReason::kMalformed;
  }
}

}  // namespace

IntakeOutcome VoucherIntake::Submit(std::string_view account,
                                    std::span<const std::uint8_t> voucher) {
  if (!psi::IsValidAccountName(account)) return Refused(RefusalReason::kBadAccount);
  // Opening costs P scalar multiplications: done in parallel on the request threads, outside
  // any store transaction; only the commit is serialised (and batched).
  auto opened = openers_.Open(voucher, account);
  if (!opened.ok()) {
    // Best effort: the refusal is answered whether or not its count could be stored.
    if (auto store = stores_.Acquire(); store.ok()) (void)(*store)->RecordRefused(account);
    return Refused(ReasonFor(opened.status()));
  }
  const auto recorded = commits_.Commit(account, *opened);
  if (!recorded.ok()) return Refused(RefusalReason::kStoreUnavailable);
  // Whatever opening found (a candidate, nothing, an inconsistent voucher) is answered alike:
  // the answer must not depend on the DB's content (docs/protocol.md, "One answer for every
  // voucher").
  if (!*recorded) return {.kind = IntakeOutcome::Kind::kDuplicate};
  return {.kind = IntakeOutcome::Kind::kAccepted,
          .candidate = !opened->candidates.empty(),
          .inconsistent = opened->inconsistency != nullptr};
}

}  // namespace hashveil::tools::serve
