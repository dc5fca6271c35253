// The server's first step (docs/design.md section 5, "Server"): open a voucher's outer layer
// with the blinding secret alpha. First the public checks, which anyone can make without alpha:
// length, version, epoch, entry count, and that every Q is a valid point. Then, for every outer
// entry (Q, ct), alpha*Q and ct tried under KDF(alpha*Q). None opens: no match, and the server
// learns nothing else. One or more open, all to the same rkey: each opened entry is a
// candidate (real or synthetic, the server cannot tell) with its own share and tag, and the
// middle layer gives the inner ciphertext the server keeps until the account crosses the
// threshold. Entries that open but make no well-formed candidate make an inconsistent voucher,
// which only a modified client sends.
//
// Why nothing after the public checks is a refusal (docs/protocol.md 3.1): whether an entry
// opens depends on the DB's content, so a refusal that follows an opening would tell the client
// that one of its probe keys is in the DB. What opening finds goes into the result, for the
// server's own records; the service answers every voucher that passed the public checks alike.
// Cost: P variable-base scalar multiplications per voucher, whatever it holds.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/psi/detectable_hash.h"
#include "hashveil/psi/group.h"
#include "hashveil/psi/shamir.h"
#include "hashveil/psi/voucher.h"

namespace hashveil::psi {

// What one opened outer entry gives the server.
struct Candidate {
  Share share;  // (x, f(x)) of a real entry, x from its DB key; (x, z) synthetic
  Tag tag;                          // s values
  std::vector<std::uint8_t> adct;   // the inner layer; opens with adkey after the threshold
};

struct OpenedVoucher {
  VoucherHeader header;
  // One per outer entry that opened (usually none or one; two when the image's probes reach two
  // DB keys): empty when no entry opened, or when the voucher is inconsistent.
  std::vector<Candidate> candidates;
  std::uint32_t opened_entries = 0;  // outer entries that opened
  // Set (to a fixed description, never to voucher content) when entries opened but the voucher
  // is no well-formed candidate: entries opening to different rkeys, a middle layer that does
  // not open or has the wrong length, an entry that does not parse, or two entries with one
  // share x. Server-side records only.
  const char* inconsistency = nullptr;
};

// Immutable after Create; Open is thread-safe.
class VoucherOpener {
 public:
  // `alpha` is copied (and wiped with the opener). kInvalidInput for a zero alpha or a shape
  // with more than kMaxVoucherEntries entries or more than kMaxSyntheticTags tag values.
  static Result<std::unique_ptr<VoucherOpener>> Create(const VoucherShape& shape,
                                                       const Scalar& alpha);

  const VoucherShape& shape() const { return shape_; }

  // Opens the voucher as filed under `account` (a valid account name: it is part of every
  // layer's associated data, with the DB digest of shape()).
  // Refusals, only from the public checks: as ParseVoucherHeader (length, version, epoch, entry
  // count); kCorrupt for an outer entry whose Q is not a valid, non-identity point. Nothing
  // after opening is a refusal: see OpenedVoucher::inconsistency.
  Result<OpenedVoucher> Open(std::span<const std::uint8_t> voucher,
                             std::string_view account) const;

 private:
  VoucherOpener(const VoucherShape& shape, Scalar alpha) : shape_(shape), alpha_(std::move(alpha)) {}
  VoucherShape shape_;
  Scalar alpha_;
};

}  // namespace hashveil::psi
