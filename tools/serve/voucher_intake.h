// The service's write path for one voucher: refuse it with a reason when it fails the public
// checks (length, version, epoch, entry count, points: nothing that depends on the DB's
// content), or open its outer layer with the server secret and commit it to the share store (batched with the vouchers other
// threads commit at the same moment, see GroupCommitter), after which (and only after which)
// the client is told it was accepted. Idempotent by (account, voucher id): a retried upload,
// including one retried after a crash between commit and answer, is acknowledged and counted once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "epoch_openers.h"
#include "group_committer.h"
#include "hashveil/psi/voucher_opener.h"
#include "service_metrics.h"
#include "store_pool.h"

namespace hashveil::tools::serve {

struct IntakeOutcome {
  // kAccepted and kDuplicate say nothing of what opening found: a candidate, nothing and an
  // inconsistent voucher are all kAccepted (kDuplicate when the account sent its id before).
  enum class Kind { kAccepted, kDuplicate, kRefused };
  Kind kind = Kind::kRefused;
  RefusalReason reason = RefusalReason::kMalformed;  // kRefused
  // kAccepted: what opening found, for the operator's own tools (`server ingest` prints it). The
  // HTTP endpoint never reads these: its answer must be the same whatever they are.
  bool candidate = false;
  bool inconsistent = false;
};

// Thread-safe: Submit may be called from every request thread at once.
class VoucherIntake {
 public:
  // Vouchers of `opener`'s epoch only.
  VoucherIntake(std::unique_ptr<psi::VoucherOpener> opener, StorePool& stores)
      : VoucherIntake(EpochOpeners(std::move(opener)), stores) {}
  // Vouchers of every epoch `openers` accepts (the current one, an older one in transition).
  VoucherIntake(EpochOpeners openers, StorePool& stores)
      : openers_(std::move(openers)), stores_(stores), commits_(stores) {}

  // The largest voucher of an accepted epoch: the body size limit.
  std::size_t voucher_bytes() const { return openers_.max_voucher_bytes(); }

  // Never fails: a store that cannot commit is the refusal kStoreUnavailable. A voucher that
  // fails the public checks, for a valid account name, is also counted in the store's
  // per-account refusals.
  IntakeOutcome Submit(std::string_view account, std::span<const std::uint8_t> voucher);

 private:
  EpochOpeners openers_;
  StorePool& stores_;
  GroupCommitter commits_;
};

}  // namespace hashveil::tools::serve
