// What the share store's two backends (SQLite, PostgreSQL) share: the rules of AddServedDb and
// the decoding of their rows, so both give the same answers from the same stored values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/psi/share_store.h"

namespace hashveil::psi {

// A served_dbs row as stored.
struct ServedDbRow {
  std::int64_t epoch = 0, entry_count = 0, synthetic_max = 0, threshold = 0;
  std::span<const std::uint8_t> public_point, db_digest;
  std::optional<std::int64_t> synthetic_rate_ppm, key_bits, accepted_until;
};
// kCorrupt when a blob has the wrong size.
Result<ServedDb> DecodeServedDb(const ServedDbRow& row);

// A candidates row as stored.
struct CandidateRow {
  std::span<const std::uint8_t> voucher_id, share_x, share_y, tag, adct;
  std::int64_t epoch = 0;
};
// s of each epoch in `dbs`: a tag has s values, s of the epoch its voucher was made for.
std::map<std::uint64_t, std::uint32_t> SyntheticMaxByEpoch(const std::vector<ServedDb>& dbs);
// kCorrupt when the row is malformed or of an epoch `synthetic_max` does not know.
Result<StoredCandidate> DecodeCandidate(
    const CandidateRow& row, const std::map<std::uint64_t, std::uint32_t>& synthetic_max);

// What AddServedDb does given every stored DB (newest first), by its rules (share_store.h):
// nothing; fill in the current DB's unknown p_syn and k; add the first DB; or add a newer one
// (the current one gets the transition, older ones close). kFailedPrecondition for an older
// epoch or another DB of the current epoch.
enum class AddServedDbStep { kNothing, kLearnUnknowns, kAddFirst, kAddNewer };
Result<AddServedDbStep> DecideAddServedDb(const std::vector<ServedDb>& dbs,
                                          const ServedDbParams& given);

// kInvalidInput when any account name of the batch is not valid (IsValidAccountName).
Status CheckAccountNames(std::span<const AccountVoucher> vouchers);

}  // namespace hashveil::psi
