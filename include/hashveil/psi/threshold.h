// Threshold processing of one account's candidates (docs/design.md section 5, "Server"). A
// candidate is one opened entry; its share x is its identity: one DB key (protocol v2: every
// copy of a known image that opens that key gives the same share), or one synthetic image.
// Identities opened by one voucher are one image. Once there are at least t images, detection
// over one tag per identity separates real from synthetic; with real identities of at least t
// images, adkey is rebuilt from t real shares (Lagrange at 0) and the inner layer of every
// voucher with a real entry is opened. Below t, or when detection cannot separate (more than s
// synthetics), nothing is opened and nothing is lost: the candidates stay stored.
//
// Across DB epochs (docs/protocol.md 3.3): candidates of several epochs go through one run only
// when their shares lie on one polynomial, i.e. the device derived them for the same t, s and
// p_syn (and keys of the same k, so one DB key keeps one share x); each candidate's inner
// layer is opened with the associated data of its own epoch's DB.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/psi/share_store.h"
#include "hashveil/psi/voucher.h"

namespace hashveil::psi {

struct RevealedVoucher {
  VoucherId id{};
  VoucherPayload payload;
  std::uint64_t epoch = 0;  // of the DB the voucher was made for
};

// Epochs whose shares combine, with the shape of each: one threshold t, one s.
struct EpochGroup {
  std::uint32_t threshold = 0;
  std::map<std::uint64_t, VoucherShape> shapes;  // by epoch
};

struct ThresholdResult {
  enum class Outcome {
    kBelowThreshold,     // fewer than t real distinct images (or fewer than t distinct at all)
    kRevealed,           // at least t real: `revealed` holds their payloads
    kTooManySynthetics,  // detection failed: flag the account for a look, nothing revealed
  };
  Outcome outcome = Outcome::kBelowThreshold;
  // Distinct share x among the candidates: distinct DB keys matched, and synthetic images.
  std::uint64_t distinct_keys = 0;
  // Distinct images: identities joined when one voucher opened entries of both. This is what
  // t counts (an honest server opens nothing with fewer; docs/protocol.md 4).
  std::uint64_t distinct_images = 0;
  std::uint64_t real_keys = 0;    // identities detected as real (kRevealed only)
  std::uint64_t real_images = 0;  // images among them (kRevealed only)
  // Every voucher with a real entry whose inner layer opened, once, in arrival order (copies of
  // one image appear under each voucher id).
  std::vector<RevealedVoucher> revealed;
  // Candidates of real images whose inner layer did not open or parse (a client that lied).
  std::vector<VoucherId> unopened;
  // Candidates set aside before detection: a share x seen before with another y or tag, or a
  // tag x' already used by another image.
  std::uint64_t conflicting = 0;
};

// The candidates of `account` (the name its vouchers were filed under: part of every layer's
// associated data), each opened under the shape of its epoch in `group`. kInvalidInput for
// parameters out of range, shapes with different s, or a candidate of an epoch not in `group`.
Result<ThresholdResult> ProcessThreshold(std::string_view account,
                                         std::span<const StoredCandidate> candidates,
                                         const EpochGroup& group);
// Every candidate made for the one DB of `shape` (their epoch fields are not read).
Result<ThresholdResult> ProcessThreshold(std::string_view account,
                                         std::span<const StoredCandidate> candidates,
                                         const VoucherShape& shape, std::uint32_t threshold);

}  // namespace hashveil::psi
