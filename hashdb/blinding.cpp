#include "blinding.h"

#include "parallel_for.h"

namespace hashveil::hashdb {

Result<BlindedTable> BlindTable(std::span<const matcher::MatchKey> keys,
                                           const CuckooPlacement& placement,
                                           const psi::DbNonce& db_nonce,
                                           const psi::FillerSeed& filler_seed,
                                           const psi::Scalar& alpha, unsigned threads,
                                           const ProgressCallback& progress) {
  const std::uint64_t slot_count = placement.slot_key.size();
  // Where each occupied slot's H(key) goes in key_points (occupied slots in ascending order).
  std::vector<std::uint32_t> key_rank(slot_count);
  std::uint32_t occupied = 0;
  for (std::uint64_t i = 0; i < slot_count; ++i) {
    key_rank[i] = occupied;
    if (placement.slot_key[i] != CuckooPlacement::kEmptySlot) ++occupied;
  }
  BlindedTable table;
  table.points.resize(slot_count);
  table.key_points.resize(occupied);
  HV_RETURN_IF_ERROR(ParallelFor(
      slot_count, threads,
      [&](std::uint64_t begin, std::uint64_t end) -> Status {
        for (std::uint64_t i = begin; i < end; ++i) {
          const std::uint32_t key = placement.slot_key[i];
          if (key == CuckooPlacement::kEmptySlot) {
            table.points[i] = psi::FillerPoint(filler_seed, i);
            continue;
          }
          const psi::Point hashed = psi::HashMatchKey(db_nonce, keys[key]);
          auto blinded = psi::Mul(alpha, hashed);
          if (!blinded.ok()) return Status::Internal("blinding produced the identity");
          table.points[i] = *blinded;
          table.key_points[key_rank[i]] = hashed;
        }
        return Status::Ok();
      },
      progress));
  return table;
}

}  // namespace hashveil::hashdb
