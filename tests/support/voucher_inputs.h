// Voucher inputs for tests that have a hash but no pixels.
#pragma once

#include "hashveil/psi/voucher_builder.h"

namespace hashveil::testing {

// Gives `input` photometric variants that hash as the image itself (as for an image whose tone
// the gamma curves do not move), so that key scheme revision 2 probes as revision 1 does: the
// variants' keys are all the image's own, and the budget goes to its own flips. Call after the
// hash and margins are set.
inline void SetVariantsToOwnHash(psi::VoucherInput& input) {
  input.variants.emplace();
  for (matcher::VariantHash& variant : *input.variants) {
    variant = {input.payload.hash, input.margins};
  }
}

}  // namespace hashveil::testing
