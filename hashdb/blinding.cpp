#include "blinding.h"

#include "parallel_for.h"

namespace hashveil::hashdb {

Result<std::vector<psi::Point>> BlindTable(std::span<const matcher::MatchKey> keys,
                                           const CuckooPlacement& placement,
                                           const psi::DbNonce& db_nonce,
                                           const psi::FillerSeed& filler_seed,
                                           const psi::Scalar& alpha, unsigned threads,
                                           const ProgressCallback& progress) {
  const std::uint64_t slot_count = placement.slot_key.size();
  std::vector<psi::Point> points(slot_count);
  HV_RETURN_IF_ERROR(ParallelFor(
      slot_count, threads,
      [&](std::uint64_t begin, std::uint64_t end) -> Status {
        for (std::uint64_t i = begin; i < end; ++i) {
          const std::uint32_t key = placement.slot_key[i];
          if (key == CuckooPlacement::kEmptySlot) {
            points[i] = psi::FillerPoint(filler_seed, i);
            continue;
          }
          auto blinded = psi::Mul(alpha, psi::HashMatchKey(db_nonce, keys[key]));
          if (!blinded.ok()) return Status::Internal("blinding produced the identity");
          points[i] = *blinded;
        }
        return Status::Ok();
      },
      progress));
  return points;
}

}  // namespace hashveil::hashdb
