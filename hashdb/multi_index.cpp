#include "multi_index.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <limits>
#include <thread>

namespace hashveil::hashdb {
namespace {

constexpr int kChunks = matcher::PdqHash::kWords;  // 16 chunks of 16 bits
constexpr std::size_t kBuckets = 1u << 16;
constexpr std::size_t kBucketsPerTask = 512;

// A hash as four 64-bit words for a fast distance; chunk c is PdqHash word c.
struct Bits {
  std::array<std::uint64_t, 4> w{};

  explicit Bits(const matcher::PdqHash& hash) {
    for (int c = 0; c < kChunks; ++c) {
      w[c >> 2] |= static_cast<std::uint64_t>(hash.words[c]) << (16 * (c & 3));
    }
  }
  Bits() = default;
  std::uint16_t chunk(int c) const { return static_cast<std::uint16_t>(w[c >> 2] >> (16 * (c & 3))); }
};

// Per-byte bit counts of x (each byte 0..8), the first steps of a SWAR popcount.
[[gnu::always_inline]] inline std::uint64_t ByteCounts(std::uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555u;
  x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
  return (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
}

// Sums per-byte counts into a distance.
[[gnu::always_inline]] inline int HorizontalSum(std::uint64_t byte_counts) {
  return static_cast<int>((byte_counts * 0x0101010101010101u) >> 56);
}

// The distance over the first 128 bits: a lower bound of the full distance that already rules
// out nearly every random pair (mean 64, P(<= 31) < 1e-8), at half the cost.
[[gnu::always_inline]] inline int HalfDistance(const Bits& a, const Bits& b) {
  return HorizontalSum(ByteCounts(a.w[0] ^ b.w[0]) + ByteCounts(a.w[1] ^ b.w[1]));
}

// The full 256-bit distance. A portable SWAR count, summing the words' byte counts (at most 32
// per byte) before one horizontal add: without -mpopcnt, std::popcount is a library call per
// word, several times slower in this, the search's hot loop.
int Distance(const Bits& a, const Bits& b) {
  return HorizontalSum(ByteCounts(a.w[0] ^ b.w[0]) + ByteCounts(a.w[1] ^ b.w[1]) +
                       ByteCounts(a.w[2] ^ b.w[2]) + ByteCounts(a.w[3] ^ b.w[3]));
}

// The hashes ordered by one chunk's value, so each bucket is a contiguous run.
struct ChunkOrder {
  std::vector<std::uint32_t> offsets;  // bucket v holds [offsets[v], offsets[v + 1])
  std::vector<std::uint32_t> ids;
  std::vector<Bits> bits;              // bits[k] is the hash ids[k], copied for locality
};

ChunkOrder OrderByChunk(const std::vector<Bits>& all, int chunk) {
  ChunkOrder order;
  order.offsets.assign(kBuckets + 1, 0);
  for (const Bits& b : all) ++order.offsets[b.chunk(chunk) + 1];
  for (std::size_t v = 0; v < kBuckets; ++v) order.offsets[v + 1] += order.offsets[v];
  std::vector<std::uint32_t> next(order.offsets.begin(), order.offsets.end() - 1);
  order.ids.resize(all.size());
  order.bits.resize(all.size());
  for (std::uint32_t id = 0; id < all.size(); ++id) {
    const std::uint32_t at = next[all[id].chunk(chunk)]++;
    order.ids[at] = id;
    order.bits[at] = all[id];
  }
  return order;
}

// Compares buckets within one chunk's order; appends the pairs this chunk owns.
class ChunkScanner {
 public:
  ChunkScanner(const ChunkOrder& order, int chunk, int max_distance,
               const std::vector<std::uint16_t>& masks)
      : order_(order), chunk_(chunk), max_distance_(max_distance),
        chunk_radius_(max_distance / kChunks), masks_(masks) {}

  void ScanBucket(std::size_t v, std::vector<NearPair>& out) const {
    const std::uint32_t begin = order_.offsets[v], end = order_.offsets[v + 1];
    for (std::uint32_t i = begin; i < end; ++i) {
      for (std::uint32_t j = i + 1; j < end; ++j) Check(i, j, out);
    }
    for (std::uint16_t mask : masks_) {
      const std::size_t other = v ^ mask;
      if (other < v) continue;  // the pair of buckets is scanned from the lower one
      for (std::uint32_t i = begin; i < end; ++i) {
        for (std::uint32_t j = order_.offsets[other]; j < order_.offsets[other + 1]; ++j) {
          Check(i, j, out);
        }
      }
    }
  }

 private:
  [[gnu::always_inline]] void Check(std::uint32_t i, std::uint32_t j,
                                    std::vector<NearPair>& out) const {
    if (HalfDistance(order_.bits[i], order_.bits[j]) <= max_distance_) CheckFully(i, j, out);
  }

  void CheckFully(std::uint32_t i, std::uint32_t j, std::vector<NearPair>& out) const {
    const Bits& a = order_.bits[i];
    const Bits& b = order_.bits[j];
    if (Distance(a, b) > max_distance_) return;
    for (int earlier = 0; earlier < chunk_; ++earlier) {
      if (std::popcount<std::uint16_t>(a.chunk(earlier) ^ b.chunk(earlier)) <= chunk_radius_) {
        return;  // an earlier chunk already reported this pair
      }
    }
    const std::uint32_t x = order_.ids[i], y = order_.ids[j];
    out.push_back({std::min(x, y), std::max(x, y)});
  }

  const ChunkOrder& order_;
  int chunk_;
  int max_distance_;
  int chunk_radius_;
  const std::vector<std::uint16_t>& masks_;
};

}  // namespace

Result<std::vector<NearPair>> FindNearPairs(std::span<const matcher::PdqHash> hashes,
                                            int max_distance, unsigned threads,
                                            const ProgressCallback& progress) {
  if (max_distance < 0 || max_distance > kMaxIndexedDistance) {
    return Status::InvalidInput("merge distance must be 0.." +
                                std::to_string(kMaxIndexedDistance));
  }
  if (hashes.size() >= std::numeric_limits<std::uint32_t>::max()) {
    return Status::InvalidInput("too many hashes for the near-duplicate index");
  }
  threads = std::max(threads, 1u);
  const int radius = max_distance / kChunks;
  std::vector<std::uint16_t> masks;  // the non-zero chunk differences within the radius
  for (std::uint32_t m = 1; m < kBuckets; ++m) {
    if (std::popcount(m) <= radius) masks.push_back(static_cast<std::uint16_t>(m));
  }
  std::vector<Bits> all;
  all.reserve(hashes.size());
  for (const auto& hash : hashes) all.emplace_back(hash);

  std::vector<std::vector<NearPair>> found(threads);
  for (int chunk = 0; chunk < kChunks; ++chunk) {
    const ChunkOrder order = OrderByChunk(all, chunk);
    const ChunkScanner scanner(order, chunk, max_distance, masks);
    std::atomic<std::size_t> next_task{0};
    auto work = [&](std::vector<NearPair>& out) {
      for (std::size_t first; (first = next_task.fetch_add(kBucketsPerTask)) < kBuckets;) {
        for (std::size_t v = first; v < first + kBucketsPerTask; ++v) scanner.ScanBucket(v, out);
      }
    };
    std::vector<std::jthread> workers;
    for (unsigned t = 1; t < threads; ++t) workers.emplace_back(work, std::ref(found[t]));
    work(found[0]);
    workers.clear();  // joins
    if (progress) progress(static_cast<std::uint64_t>(chunk + 1), kChunks);
  }

  std::vector<NearPair> pairs;
  for (auto& part : found) pairs.insert(pairs.end(), part.begin(), part.end());
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

}  // namespace hashveil::hashdb
