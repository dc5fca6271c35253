// SplitMix64 (Steele, Lea, Flood 2014): a tiny, exactly specified generator for deterministic,
// non-secret choices that a file format or a seed must reproduce bit for bit on every platform
// (match-key positions). Never for keys, nonces or blinding factors.
#pragma once

#include <cstdint>

namespace hashveil {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t state) : state_(state) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

}  // namespace hashveil
