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
//      Q = beta*G, S = beta*L, which opens for the server exactly as one real match does; its
//      inner layer seals zeros under a key nobody keeps (nothing of the image). Withheld (the
//      image's synthetic draw is below p_syn but the cap is reached): every entry is sealed
//      under a random key, as for a non-matching image (AccountState::DecideRole says why);
//   6. shuffle the entries.
// Constant work: every voucher computes all P*c entries and the synthetic opener, real or
// synthetic, matching or not (3 variable-base and 1 fixed-base scalar multiplications per
// entry). An image of quality below 50 gets the same voucher with every entry sealed under a
// random key, so it can never match (flat images collide).
// The client never learns whether anything matched.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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
  // `db` (loaded and verified) and `account` must outlive the builder; `account_name` is the
  // name the server files the vouchers under (bound into each voucher). kFailedPrecondition when
  // the account state was opened for other privacy parameters (t, s, p_syn) than the DB's;
  // kInvalidInput when the DB's parameters are out of this format's range or the account name
  // is not valid (IsValidAccountName).
  static Result<std::unique_ptr<VoucherBuilder>> Create(const hashdb::ClientDb& db,
                                                        AccountState& account,
                                                        std::string_view account_name);
  // The DB's shape of a voucher (what the server needs to parse one).
  static VoucherShape ShapeOf(const hashdb::ClientDb& db);

  const VoucherShape& shape() const { return shape_; }

  // One voucher of shape().total_bytes() bytes with a fresh random id. `random` draws the id,
  // every blinding scalar, rkey and the nonces. Errors: kInvalidInput (payload out of range),
  // kIoError (the account state could not record a synthetic decision), kInternal.
  Result<std::vector<std::uint8_t>> Build(const VoucherInput& input, RandomSource& random) const;

 private:
  VoucherBuilder(const hashdb::ClientDb& db, AccountState& account, std::string account_name,
                 VoucherShape shape)
      : db_(db), account_(account), account_name_(std::move(account_name)), shape_(shape) {}
  const hashdb::ClientDb& db_;
  AccountState& account_;
  const std::string account_name_;
  VoucherShape shape_;
};

}  // namespace hashveil::psi
