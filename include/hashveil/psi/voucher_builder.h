// The device side of the voucher protocol (docs/design.md section 5, "Voucher").
//
// Per image: the probe keys (matcher::ProbeKeys, exactly P), the per-image choices from the base
// key k0 (the first probe: table 0's unflipped key), the synthetic decision (the account state
// records it), then
//   1. adct = Seal(adkey, payload)                       (payload of one fixed length)
//   2. share (x, f(x)) and tag DHF(hkey, x'); synthetic: (x, z) and (x', r') from the PRF
//   3. rct = Seal(rkey, tag || adct || share) with a fresh rkey
//   4. per probe y and each of its c slots w: fresh beta, gamma;
//      Q = beta*H(y) + gamma*G, S = beta*P_w + gamma*L, ct = Seal(KDF(S), rkey)
//   5. synthetic: the probes' entries are sealed under random keys and one of them is replaced by
//      Q = beta*G, S = beta*L, which opens for the server exactly as one real match does;
//   6. shuffle the entries.
// Constant work: every voucher computes all P*c entries and the synthetic opener, real or
// synthetic, matching or not (3 variable-base and 1 fixed-base scalar multiplications per
// entry). An image of quality below 50 gets the same voucher with every entry sealed under a
// random key, so it can never match (flat images collide).
// The client never learns whether anything matched.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/status.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/matcher/match_keys.h"
#include "hashveil/psi/account_state.h"
#include "hashveil/psi/voucher.h"

namespace hashveil::psi {

struct VoucherInput {
  VoucherPayload payload;       // hash, quality, derivative, caller metadata
  matcher::BitMargins margins;  // from the hasher; choose the probes, never leave the device
};

// Thread safety: Build may be called concurrently with one RandomSource per thread.
class VoucherBuilder {
 public:
  // `db` (loaded and verified) and `account` must outlive the builder. kFailedPrecondition when
  // the account state was made for another threshold or synthetic cap than the DB's;
  // kInvalidInput when the DB's parameters are out of this format's range.
  static Result<std::unique_ptr<VoucherBuilder>> Create(const hashdb::ClientDb& db,
                                                        AccountState& account);
  // The DB's shape of a voucher (what the server needs to parse one).
  static VoucherShape ShapeOf(const hashdb::ClientDbParams& params);

  const VoucherShape& shape() const { return shape_; }

  // One voucher of shape().total_bytes() bytes with a fresh random id. `random` draws the id,
  // every blinding scalar, rkey and the nonces. Errors: kInvalidInput (payload out of range),
  // kIoError (the account state could not record a synthetic decision), kInternal.
  Result<std::vector<std::uint8_t>> Build(const VoucherInput& input, RandomSource& random) const;

 private:
  VoucherBuilder(const hashdb::ClientDb& db, AccountState& account, VoucherShape shape)
      : db_(db), account_(account), shape_(shape) {}
  const hashdb::ClientDb& db_;
  AccountState& account_;
  VoucherShape shape_;
};

}  // namespace hashveil::psi
