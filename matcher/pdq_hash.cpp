#include "hashveil/matcher/pdq_hash.h"

#include <bit>
#include <cstdio>

namespace hashveil::matcher {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

int PdqHash::popcount() const {
  int count = 0;
  for (std::uint16_t w : words) count += std::popcount(w);
  return count;
}

std::string PdqHash::ToHex() const {
  std::string out(64, '0');
  char buf[5];
  for (int w = kWords - 1, pos = 0; w >= 0; --w, pos += 4) {
    std::snprintf(buf, sizeof(buf), "%04x", words[w]);
    out.replace(pos, 4, buf, 4);
  }
  return out;
}

Result<PdqHash> PdqHash::FromHex(std::string_view hex) {
  if (hex.size() != 64) return Status::InvalidInput("PDQ hash must be 64 hex digits");
  PdqHash hash;
  for (int w = kWords - 1, pos = 0; w >= 0; --w, pos += 4) {
    std::uint16_t value = 0;
    for (int d = 0; d < 4; ++d) {
      const int digit = HexDigit(hex[pos + d]);
      if (digit < 0) return Status::InvalidInput("PDQ hash has a non-hex character");
      value = static_cast<std::uint16_t>(value << 4 | digit);
    }
    hash.words[w] = value;
  }
  return hash;
}

std::array<std::uint8_t, 32> PdqHash::ToBytes() const {
  std::array<std::uint8_t, 32> out{};
  for (int w = 0; w < kWords; ++w) {
    out[2 * w] = static_cast<std::uint8_t>(words[w] & 0xff);
    out[2 * w + 1] = static_cast<std::uint8_t>(words[w] >> 8);
  }
  return out;
}

PdqHash PdqHash::FromBytes(const std::array<std::uint8_t, 32>& bytes) {
  PdqHash hash;
  for (int w = 0; w < kWords; ++w) {
    hash.words[w] = static_cast<std::uint16_t>(bytes[2 * w] | bytes[2 * w + 1] << 8);
  }
  return hash;
}

int HammingDistance(const PdqHash& a, const PdqHash& b) {
  int distance = 0;
  for (int w = 0; w < PdqHash::kWords; ++w) distance += std::popcount<std::uint16_t>(a.words[w] ^ b.words[w]);
  return distance;
}

}  // namespace hashveil::matcher
