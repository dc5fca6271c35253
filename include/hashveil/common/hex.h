// Lower-case hex encoding of non-secret bytes (digests, public keys, voucher ids).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashveil/common/status.h"

namespace hashveil {

std::string ToHex(std::span<const std::uint8_t> bytes);
// kInvalidInput on odd length or a non-hex character (the message never echoes the input).
Result<std::vector<std::uint8_t>> FromHex(std::string_view hex);

}  // namespace hashveil
