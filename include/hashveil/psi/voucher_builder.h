// The device side of the voucher protocol (docs/design.md section 5, "Voucher").
//
// Per image: the probe keys (matcher::DeviceProbeKeys, exactly P), the per-image choices from the
// base key k0 (the first probe: table 0's unflipped key), the synthetic decision (the account state
// records it), then
//   1. adct = Seal(adkey, payload)                       (payload of one fixed length)
//   2. rct = Seal(rkey, adct) with a fresh rkey
//   3. per probe y: its key's share (x_y, f(x_y)) and tag DHF(hkey, x'_y), x_y and x'_y PRFs of
//      y (AccountState::IdentityOf); fresh beta, gamma; P_y the DB's point for y;
//      Q = beta*H(y) + gamma*G, S = beta*P_y + gamma*L, ct = Seal(KDF(S), rkey || tag || share)
//   4. synthetic: the probes' entries are sealed under random keys and one of them is replaced by
//      Q = beta*G, S = beta*L, which opens for the server exactly as one real match does, with
//      the image's synthetic share (x, z) and tag (x', r') from k0; its inner layer seals zeros
//      under a key nobody keeps (nothing of the image). Withheld (the image's synthetic draw is
//      below p_syn but the cap is reached): every entry is sealed under a random key, as for a
//      non-matching image (AccountState::DecideRole says why);
//   5. shuffle the entries.
// Constant work: every voucher computes all P entries and the synthetic opener, real or
// synthetic, matching or not. An image of quality below 50 gets the same voucher with every
// entry sealed under a random key, so it can never match (flat images collide).
// Copies of one known image (re-encodes, resizes, re-sends) that open the same DB key give the
// same share and tag, so the server counts them once.
// The client never learns whether anything matched.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/status.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/matcher/match_keys.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "hashveil/psi/account_state.h"
#include "hashveil/psi/voucher.h"

namespace hashveil::psi {

struct VoucherInput {
  VoucherPayload payload;       // hash, quality, derivative, caller metadata
  matcher::BitMargins margins;  // from the hasher; choose the probes, never leave the device
  // The photometric variants' hashes (the hasher's PdqResult::variants): key scheme revision 2
  // probes from them too; they never leave the device either.
  std::optional<std::array<matcher::VariantHash, matcher::kPhotometricVariantCount>> variants;
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
                 VoucherShape shape, PrecomputedElement public_point)
      : db_(db),
        account_(account),
        account_name_(std::move(account_name)),
        shape_(shape),
        public_point_(std::move(public_point)) {}
  const hashdb::ClientDb& db_;
  AccountState& account_;
  const std::string account_name_;
  VoucherShape shape_;
  const PrecomputedElement public_point_;  // L, with a table for gamma*L
};

}  // namespace hashveil::psi
