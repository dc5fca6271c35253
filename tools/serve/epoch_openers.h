// The voucher openers of the DB epochs the service accepts (docs/service.md, "DB updates"): the
// current epoch's always, an older epoch's until its transition deadline, judged at each voucher
// by an injectable clock. The epoch a voucher names (a public header field) picks the opener, so
// each epoch's vouchers are checked against its own shape (P, s, digest).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/psi/share_store.h"
#include "hashveil/psi/voucher_opener.h"

namespace hashveil::tools::serve {

// Immutable after construction; Open is thread-safe when the clock is.
class EpochOpeners {
 public:
  using Clock = std::function<std::int64_t()>;  // Unix seconds

  // Only `current`'s epoch is accepted.
  explicit EpochOpeners(std::unique_ptr<psi::VoucherOpener> current);
  // Openers for the current DB (dbs.front()) and every older DB still accepted at clock() now
  // (dbs as ShareStore::LoadServedDbs lists them, newest first). kInvalidInput as
  // VoucherOpener::Create, or for an empty list.
  static Result<EpochOpeners> Create(const std::vector<psi::ServedDb>& dbs,
                                     const psi::Scalar& alpha, Clock clock);

  // The largest voucher of an accepted epoch: the body size limit.
  std::size_t max_voucher_bytes() const;

  // Opens the voucher with its epoch's opener when that epoch is accepted now. A voucher of the
  // current format naming another epoch is refused kFailedPrecondition (as ParseVoucherHeader
  // refuses another epoch); anything else goes to the current opener, whose public checks
  // decide (VoucherOpener::Open).
  Result<psi::OpenedVoucher> Open(std::span<const std::uint8_t> voucher,
                                  std::string_view account) const;

 private:
  struct Accepted {
    std::unique_ptr<psi::VoucherOpener> opener;
    std::optional<std::int64_t> until;  // none: the current epoch
  };
  EpochOpeners(std::vector<Accepted> accepted, Clock clock)
      : accepted_(std::move(accepted)), clock_(std::move(clock)) {}

  std::vector<Accepted> accepted_;  // the current epoch first
  Clock clock_;
};

}  // namespace hashveil::tools::serve
