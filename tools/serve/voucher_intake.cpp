#include "voucher_intake.h"

namespace hashveil::tools::serve {
namespace {

IntakeOutcome Refused(RefusalReason reason) {
  return {.kind = IntakeOutcome::Kind::kRefused, .reason = reason};
}

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
  // Opening costs P*c scalar multiplications: done before borrowing a store connection, so the
  // store is held only for the commit.
  auto opened = opener_->Open(voucher);
  auto store = stores_.Acquire();
  if (!store.ok()) return Refused(RefusalReason::kStoreUnavailable);
  if (!opened.ok()) {
    const RefusalReason reason = ReasonFor(opened.status());
    // Best effort: the refusal is answered whether or not its count could be stored.
    (void)(*store)->RecordRefused(account);
    return Refused(reason);
  }
  const auto recorded = (*store)->Record(account, *opened);
  if (!recorded.ok()) return Refused(RefusalReason::kStoreUnavailable);
  if (!*recorded) return {.kind = IntakeOutcome::Kind::kDuplicate};
  return {.kind = IntakeOutcome::Kind::kAccepted, .candidate = opened->candidate.has_value()};
}

}  // namespace hashveil::tools::serve
