#include "blinding.h"

#include "parallel_for.h"

namespace hashveil::hashdb {

Result<std::vector<psi::Point>> BlindKeys(std::span<const matcher::MatchKey> keys,
                                          const psi::DbNonce& db_nonce, const psi::Scalar& alpha,
                                          unsigned threads, const ProgressCallback& progress) {
  std::vector<psi::Point> values(keys.size());
  HV_RETURN_IF_ERROR(ParallelFor(
      keys.size(), threads,
      [&](std::uint64_t begin, std::uint64_t end) -> Status {
        for (std::uint64_t i = begin; i < end; ++i) {
          const psi::Element blinded = psi::HashMatchKeyElement(db_nonce, keys[i]).Mul(alpha);
          if (blinded.IsIdentity()) return Status::Internal("blinding produced the identity");
          values[i] = blinded.Encode();
        }
        return Status::Ok();
      },
      progress));
  return values;
}

}  // namespace hashveil::hashdb
