#include "share_store_rows.h"

#include <algorithm>
#include <array>
#include <tuple>

namespace hashveil::psi {
namespace {

template <std::size_t N>
Result<std::array<std::uint8_t, N>> FixedBlob(std::span<const std::uint8_t> blob) {
  if (blob.size() != N) return Status::Corrupt("share store row is malformed");
  std::array<std::uint8_t, N> out{};
  std::copy(blob.begin(), blob.end(), out.begin());
  return out;
}

Result<Scalar> ScalarBlob(std::span<const std::uint8_t> blob) {
  HV_ASSIGN_OR_RETURN(auto raw, FixedBlob<kScalarBytes>(blob));
  auto scalar = Scalar::FromCanonicalBytes(raw);
  if (!scalar.ok()) return Status::Corrupt("share store row is malformed");
  return std::move(scalar).value();
}

}  // namespace

Result<ServedDb> DecodeServedDb(const ServedDbRow& row) {
  ServedDb db;
  ServedDbParams& params = db.params;
  params.shape.epoch = static_cast<std::uint64_t>(row.epoch);
  params.shape.entry_count = static_cast<std::uint32_t>(row.entry_count);
  params.shape.synthetic_max = static_cast<std::uint32_t>(row.synthetic_max);
  params.threshold = static_cast<std::uint32_t>(row.threshold);
  HV_ASSIGN_OR_RETURN(params.public_point.bytes, FixedBlob<kPointBytes>(row.public_point));
  HV_ASSIGN_OR_RETURN(params.shape.db_digest,
                      FixedBlob<std::tuple_size_v<DbDigest>>(row.db_digest));
  if (row.synthetic_rate_ppm) {
    params.synthetic_rate_ppm = static_cast<std::uint32_t>(*row.synthetic_rate_ppm);
  }
  if (row.key_bits) params.key_bits = static_cast<std::uint32_t>(*row.key_bits);
  db.accepted_until = row.accepted_until;
  return db;
}

std::map<std::uint64_t, std::uint32_t> SyntheticMaxByEpoch(const std::vector<ServedDb>& dbs) {
  std::map<std::uint64_t, std::uint32_t> synthetic_max;
  for (const ServedDb& db : dbs)
    synthetic_max[db.params.shape.epoch] = db.params.shape.synthetic_max;
  return synthetic_max;
}

Result<StoredCandidate> DecodeCandidate(
    const CandidateRow& row, const std::map<std::uint64_t, std::uint32_t>& synthetic_max) {
  StoredCandidate stored;
  HV_ASSIGN_OR_RETURN(stored.id, FixedBlob<kVoucherIdBytes>(row.voucher_id));
  HV_ASSIGN_OR_RETURN(stored.candidate.share.x, ScalarBlob(row.share_x));
  HV_ASSIGN_OR_RETURN(stored.candidate.share.y, ScalarBlob(row.share_y));
  stored.epoch = static_cast<std::uint64_t>(row.epoch);
  const auto epoch_s = synthetic_max.find(stored.epoch);
  if (epoch_s == synthetic_max.end()) return Status::Corrupt("share store row is malformed");
  auto tag = DecodeTag(row.tag, epoch_s->second);
  if (!tag.ok()) return Status::Corrupt("share store row is malformed");
  stored.candidate.tag = std::move(tag).value();
  stored.candidate.adct.assign(row.adct.begin(), row.adct.end());
  return stored;
}

Result<AddServedDbStep> DecideAddServedDb(const std::vector<ServedDb>& dbs,
                                          const ServedDbParams& given) {
  if (dbs.empty()) return AddServedDbStep::kAddFirst;
  const ServedDbParams& current = dbs.front().params;
  if (given.shape.epoch < current.shape.epoch) {
    return Status::FailedPrecondition(
        "client DB is older than the one the share store serves (rollback refused)");
  }
  if (given.shape.epoch > current.shape.epoch) return AddServedDbStep::kAddNewer;
  // The current DB given again: nothing to do, except filling in what a store of schema 2 did
  // not keep. Another DB under the same epoch is refused.
  ServedDbParams known = given;
  if (!current.synthetic_rate_ppm) known.synthetic_rate_ppm.reset();
  if (!current.key_bits) known.key_bits.reset();
  if (!(known == current)) {
    return Status::FailedPrecondition(
        "share store serves another DB under the same epoch (parameters or digest differ)");
  }
  return known == given ? AddServedDbStep::kNothing : AddServedDbStep::kLearnUnknowns;
}

Status CheckAccountNames(std::span<const AccountVoucher> vouchers) {
  for (const AccountVoucher& item : vouchers) {
    if (!IsValidAccountName(item.account)) return Status::InvalidInput("account name is not valid");
  }
  return Status::Ok();
}

}  // namespace hashveil::psi
