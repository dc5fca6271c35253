// A 256-bit PDQ hash: bit 16*i + j is DCT coefficient (i, j) of the 16x16 low-frequency block.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "hashveil/common/status.h"

namespace hashveil::matcher {

struct PdqHash {
  static constexpr int kBits = 256;
  static constexpr int kWords = 16;

  // words[w] holds bits 16*w .. 16*w+15, least significant first (as the reference's Hash256).
  std::array<std::uint16_t, kWords> words{};

  bool bit(int index) const { return (words[index >> 4] >> (index & 15)) & 1; }
  void set_bit(int index, bool value) {
    const std::uint16_t mask = static_cast<std::uint16_t>(1u << (index & 15));
    words[index >> 4] = value ? (words[index >> 4] | mask) : (words[index >> 4] & ~mask);
  }
  int popcount() const;

  // 64 lower-case hex digits, words 15..0, "%04x" each: the reference's format.
  std::string ToHex() const;
  // Parses 64 hex digits (either case). kInvalidInput otherwise; the message never echoes input.
  static Result<PdqHash> FromHex(std::string_view hex);

  // 32 bytes, word 0 first, each word little-endian: the binary form in files and payloads.
  std::array<std::uint8_t, 32> ToBytes() const;
  static PdqHash FromBytes(const std::array<std::uint8_t, 32>& bytes);

  friend bool operator==(const PdqHash&, const PdqHash&) = default;
};

int HammingDistance(const PdqHash& a, const PdqHash& b);

// PDQ's match radius: two hashes within this distance are treated as the same image.
inline constexpr int kPdqMatchDistance = 31;
// Hashes below this quality are not matched: flat images collide.
inline constexpr int kPdqMinQuality = 50;

}  // namespace hashveil::matcher
