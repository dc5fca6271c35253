// Generated PDQ hashes for tests and benchmarks: uniformly random hashes, near-duplicates of a
// hash at an exact Hamming distance, and pairs of overlapping hash lists. Deterministic for a seed.
#pragma once

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "hashveil/matcher/pdq_hash.h"

namespace hashveil::testing {

inline matcher::PdqHash RandomPdqHash(std::mt19937_64& rng) {
  matcher::PdqHash hash;
  for (auto& word : hash.words) word = static_cast<std::uint16_t>(rng());
  return hash;
}

// `hash` with exactly `distance` distinct bits flipped, chosen at random.
inline matcher::PdqHash NearDuplicate(const matcher::PdqHash& hash, int distance,
                                      std::mt19937_64& rng) {
  std::vector<int> positions(matcher::PdqHash::kBits);
  std::iota(positions.begin(), positions.end(), 0);
  std::shuffle(positions.begin(), positions.end(), rng);
  matcher::PdqHash out = hash;
  for (int i = 0; i < distance; ++i) out.set_bit(positions[i], !out.bit(positions[i]));
  return out;
}

// Writes two hash lists of `count` lines each, `hash,quality` per line with quality 50..100:
// the first random; the second holds, for the first count/2 hashes of the first, a
// near-duplicate at distance 1..31, then count - count/2 random hashes. So the policy's set
// (2 sources, distinct jurisdictions) is about count/2 entries. Returns false on a write error.
inline bool WriteOverlappingHashLists(const std::filesystem::path& first,
                                      const std::filesystem::path& second, std::size_t count,
                                      std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<matcher::PdqHash> base(count);
  for (auto& hash : base) hash = RandomPdqHash(rng);
  const auto write = [&](const std::filesystem::path& path, auto&& hash_at) {
    std::FILE* file = std::fopen(path.c_str(), "w");
    if (file == nullptr) return false;
    for (std::size_t i = 0; i < count; ++i) {
      std::fprintf(file, "%s,%d\n", hash_at(i).ToHex().c_str(), 50 + static_cast<int>(rng() % 51));
    }
    return std::fclose(file) == 0;
  };
  if (!write(first, [&](std::size_t i) { return base[i]; })) return false;
  return write(second, [&](std::size_t i) {
    return i < count / 2 ? NearDuplicate(base[i], 1 + static_cast<int>(rng() % 31), rng)
                         : RandomPdqHash(rng);
  });
}

}  // namespace hashveil::testing
