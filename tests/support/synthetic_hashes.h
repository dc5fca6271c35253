// Generated PDQ hashes for tests and benchmarks: uniformly random hashes, and near-duplicates of
// a hash at an exact Hamming distance. Deterministic for a seed.
#pragma once

#include <algorithm>
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

}  // namespace hashveil::testing
