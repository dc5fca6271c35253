#include "hashveil/common/secret.h"

#include <sodium.h>

namespace hashveil {

void SecureWipe(void* data, std::size_t size) { sodium_memzero(data, size); }

bool ConstantTimeEqual(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace hashveil
