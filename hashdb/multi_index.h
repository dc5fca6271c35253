// Finds every pair of PDQ hashes within a Hamming distance without an all-pairs scan, by
// multi-index hashing over the hash's 16 words (as PDQ's own MIH index).
//
// Why it is exact: split both hashes into 16 chunks of 16 bits (the PdqHash words). If
// distance(a, b) <= d, the 16 chunk distances sum to <= d, so at least one chunk differs in at
// most r = floor(d / 16) bits (were every chunk >= r + 1 apart, the sum would be
// >= 16(r + 1) > d). For d = 31, r = 1. So every pair within d shares, in some chunk, values that
// are equal or differ in at most r bits: comparing, chunk by chunk, each bucket of equal chunk
// values with itself and with the buckets at chunk distance 1..r finds every such pair, and a
// full 256-bit distance check removes the rest. A pair found through several chunks is
// reported once, by the lowest chunk that finds it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/source_store.h"
#include "hashveil/matcher/pdq_hash.h"

namespace hashveil::hashdb {

// r = floor(d / 16) <= 2 keeps the buckets compared per bucket at 1 + 16 + 120: beyond that the
// index stops paying for itself.
inline constexpr int kMaxIndexedDistance = 47;

struct NearPair {
  std::uint32_t first = 0;   // index into the hashes, first < second
  std::uint32_t second = 0;
  friend auto operator<=>(const NearPair&, const NearPair&) = default;
};

// Every pair (i, j), i < j, with HammingDistance(hashes[i], hashes[j]) <= max_distance, sorted.
// `threads` workers (at least 1); progress reports chunks done of 16.
// kInvalidInput when max_distance is outside 0..kMaxIndexedDistance or there are 2^32 hashes or more.
Result<std::vector<NearPair>> FindNearPairs(std::span<const matcher::PdqHash> hashes,
                                            int max_distance, unsigned threads,
                                            const ProgressCallback& progress);

}  // namespace hashveil::hashdb
