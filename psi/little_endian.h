// Little-endian integer encoding, the byte order of every psi/ format. Private to psi/.
#pragma once

#include <cstdint>

namespace hashveil::psi {

template <typename Unsigned>
void StoreLittleEndian(Unsigned value, std::uint8_t* out) {
  for (unsigned i = 0; i < sizeof(Unsigned); ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

template <typename Unsigned>
Unsigned LoadLittleEndian(const std::uint8_t* in) {
  Unsigned value = 0;
  for (unsigned i = sizeof(Unsigned); i-- > 0;) value = static_cast<Unsigned>(value << 8 | in[i]);
  return value;
}

}  // namespace hashveil::psi
