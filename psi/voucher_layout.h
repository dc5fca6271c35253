// Sizes and offsets inside a voucher shared by the builder and the opener. Private to psi/.
#pragma once

#include <cstddef>

#include "hashveil/psi/crypto.h"
#include "hashveil/psi/group.h"
#include "hashveil/psi/voucher.h"

namespace hashveil::psi {

// adct = Seal(adkey, payload).
inline constexpr std::size_t kInnerCiphertextBytes = kVoucherPayloadBytes + kSealOverhead;

}  // namespace hashveil::psi
