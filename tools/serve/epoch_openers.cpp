#include "epoch_openers.h"

#include <algorithm>

#include "hashveil/psi/voucher.h"

namespace hashveil::tools::serve {
namespace {

// The epoch field of a voucher of the current format, if it has one.
std::optional<std::uint64_t> EpochField(std::span<const std::uint8_t> voucher) {
  if (voucher.size() < psi::kVoucherHeaderBytes || voucher[0] != psi::kVoucherVersion) {
    return std::nullopt;
  }
  std::uint64_t epoch = 0;
  for (int i = 7; i >= 0; --i) epoch = (epoch << 8) | voucher[1 + i];
  return epoch;
}

}  // namespace

EpochOpeners::EpochOpeners(std::unique_ptr<psi::VoucherOpener> current)
    : clock_([] { return std::int64_t{0}; }) {
  accepted_.push_back({.opener = std::move(current), .until = std::nullopt});
}

Result<EpochOpeners> EpochOpeners::Create(const std::vector<psi::ServedDb>& dbs,
                                          const psi::Scalar& alpha, Clock clock) {
  if (dbs.empty()) return Status::InvalidInput("no served DB");
  const std::int64_t now = clock();
  std::vector<Accepted> accepted;
  for (const psi::ServedDb& db : dbs) {
    // The current DB (the first) has no deadline; an older one is kept while it has time left.
    if (!accepted.empty() && !db.AcceptsVouchersAt(now)) continue;
    HV_ASSIGN_OR_RETURN(auto opener, psi::VoucherOpener::Create(db.params.shape, alpha));
    accepted.push_back({.opener = std::move(opener),
                        .until = accepted.empty() ? std::nullopt : db.accepted_until});
  }
  return EpochOpeners(std::move(accepted), std::move(clock));
}

std::size_t EpochOpeners::max_voucher_bytes() const {
  std::size_t bytes = 0;
  for (const Accepted& epoch : accepted_) {
    bytes = std::max(bytes, epoch.opener->shape().total_bytes());
  }
  return bytes;
}

Result<psi::OpenedVoucher> EpochOpeners::Open(std::span<const std::uint8_t> voucher,
                                              std::string_view account) const {
  const psi::VoucherOpener& current = *accepted_.front().opener;
  const std::optional<std::uint64_t> epoch = EpochField(voucher);
  if (!epoch || *epoch == current.shape().epoch) return current.Open(voucher, account);
  for (const Accepted& older : accepted_) {
    if (older.opener->shape().epoch != *epoch) continue;
    if (older.until && clock_() >= *older.until) break;
    return older.opener->Open(voucher, account);
  }
  return Status::FailedPrecondition("voucher was made for a DB epoch this server does not accept");
}

}  // namespace hashveil::tools::serve
