#include "hashveil/matcher/match_keys.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>

#include "hashveil/common/splitmix64.h"

namespace hashveil::matcher {
namespace {

constexpr int kSide = 16;  // the hash is the 16x16 low-frequency DCT block

int Frequency(int position) { return position / kSide + position % kSide; }

// Table 0's order: by i+j (the anti-diagonal, lowest frequency first), then by row i.
bool LowerFrequencyFirst(int a, int b) {
  const int fa = Frequency(a), fb = Frequency(b);
  if (fa != fb) return fa < fb;
  return a / kSide < b / kSide;
}

// Tables after the first: k draws without replacement, position p weighted 32 - (i+j) (32 for
// the DC-adjacent corner down to 2 for the highest frequency). Each draw takes r = Next() mod
// (sum of the remaining weights) and walks the remaining positions in index order.
std::vector<int> WeightedDraw(std::uint64_t seed, std::uint32_t table, std::uint32_t count) {
  std::array<std::uint32_t, PdqHash::kBits> weight{};
  std::uint64_t total = 0;
  for (int p = 0; p < PdqHash::kBits; ++p) {
    weight[p] = static_cast<std::uint32_t>(2 * kSide - Frequency(p));
    total += weight[p];
  }
  SplitMix64 random(seed + 0x9E3779B97F4A7C15ULL * table);
  std::vector<int> chosen;
  chosen.reserve(count);
  while (chosen.size() < count) {
    std::uint64_t r = random.Next() % total;
    int p = 0;
    while (r >= weight[p]) r -= weight[p++];
    chosen.push_back(p);
    total -= weight[p];
    weight[p] = 0;
  }
  return chosen;
}

MatchKey KeyFromBits(const PdqHash& hash, std::uint32_t table, const std::vector<int>& positions) {
  MatchKey key{};
  key[0] = static_cast<std::uint8_t>(table);
  for (std::size_t n = 0; n < positions.size(); ++n) {
    if (hash.bit(positions[n])) key[1 + n / 8] |= static_cast<std::uint8_t>(1u << (n % 8));
  }
  return key;
}

void FlipKeyBit(MatchKey& key, std::size_t n) {
  key[1 + n / 8] ^= static_cast<std::uint8_t>(1u << (n % 8));
}

// A set of bits to flip, as ranks into the table's bits sorted by margin (ascending), with the
// total margin it flips.
struct FlipSet {
  double cost;
  std::vector<std::uint16_t> ranks;  // ascending
};

// Min-heap order: lower total margin first; equal totals by the rank lists, lexicographically,
// which (ranks being sorted by margin, then position) breaks ties by position.
struct CostlierFlipSet {
  bool operator()(const FlipSet& a, const FlipSet& b) const {
    if (a.cost != b.cost) return a.cost > b.cost;
    return a.ranks > b.ranks;
  }
};

double SanitisedMargin(float margin) {
  return std::isfinite(margin) && margin >= 0 ? margin : std::numeric_limits<double>::infinity();
}

// Best-first enumeration of non-empty subsets of `sorted_margins` (ascending) by total: each set
// with largest rank t has two successors, "add t+1" and "replace t by t+1"; both cost at least as
// much, and every subset is reached exactly once. Totals are summed in rank order from scratch,
// so they do not depend on the path that reached a set.
class FlipSetEnumerator {
 public:
  explicit FlipSetEnumerator(std::vector<double> sorted_margins)
      : margins_(std::move(sorted_margins)) {
    if (!margins_.empty()) Push({0});
  }

  bool Next(std::vector<std::uint16_t>& ranks) {
    if (heap_.empty()) return false;
    FlipSet top = heap_.top();
    heap_.pop();
    const std::uint16_t last = top.ranks.back();
    if (last + 1u < margins_.size()) {
      std::vector<std::uint16_t> added = top.ranks;
      added.push_back(static_cast<std::uint16_t>(last + 1));
      Push(std::move(added));
      std::vector<std::uint16_t> replaced = top.ranks;
      replaced.back() = static_cast<std::uint16_t>(last + 1);
      Push(std::move(replaced));
    }
    ranks = std::move(top.ranks);
    return true;
  }

 private:
  void Push(std::vector<std::uint16_t> ranks) {
    double cost = 0;
    for (std::uint16_t r : ranks) cost += margins_[r];
    heap_.push({cost, std::move(ranks)});
  }

  std::vector<double> margins_;
  std::priority_queue<FlipSet, std::vector<FlipSet>, CostlierFlipSet> heap_;
};

}  // namespace

std::vector<MatchKey> TableProbes(const PdqHash& hash, const BitMargins& margins,
                                  const KeyScheme& scheme, std::uint32_t table,
                                  std::uint32_t count) {
  assert(scheme.Validate().ok() && table < scheme.tables);
  std::vector<MatchKey> out;
  if (count == 0) return out;
  const std::vector<int> positions = SelectedPositions(scheme, table);
  const MatchKey base = KeyFromBits(hash, table, positions);
  out.push_back(base);

  // Key bit indices sorted by margin, ties by hash position.
  std::vector<std::size_t> by_margin(positions.size());
  std::iota(by_margin.begin(), by_margin.end(), 0);
  std::sort(by_margin.begin(), by_margin.end(), [&](std::size_t a, std::size_t b) {
    const double ma = SanitisedMargin(margins[positions[a]]);
    const double mb = SanitisedMargin(margins[positions[b]]);
    if (ma != mb) return ma < mb;
    return positions[a] < positions[b];
  });
  std::vector<double> sorted_margins;
  sorted_margins.reserve(by_margin.size());
  for (std::size_t n : by_margin) sorted_margins.push_back(SanitisedMargin(margins[positions[n]]));

  FlipSetEnumerator flips(std::move(sorted_margins));
  std::vector<std::uint16_t> ranks;
  while (out.size() < count && flips.Next(ranks)) {
    MatchKey key = base;
    for (std::uint16_t r : ranks) FlipKeyBit(key, by_margin[r]);
    out.push_back(key);
  }
  return out;
}

Status KeyScheme::Validate() const {
  if (tables < 1 || tables > kMaxTables) {
    return Status::InvalidInput("key scheme: tables (L) must be 1..64");
  }
  if (bits_per_key < 8 || bits_per_key > 256 || bits_per_key % 8 != 0) {
    return Status::InvalidInput("key scheme: bits per key (k) must be a multiple of 8 in 8..256");
  }
  if (probes < tables || probes > kMaxProbes || probes > 256ull * tables) {
    return Status::InvalidInput("key scheme: probes (P) must be in L..min(4096, 256*L)");
  }
  if (revision < kFirstRevision || revision > kLatestRevision) {
    return Status::InvalidInput("key scheme: revision must be 1 or 2");
  }
  return Status::Ok();
}

std::vector<int> SelectedPositions(const KeyScheme& scheme, std::uint32_t table) {
  assert(scheme.Validate().ok() && table < scheme.tables);
  if (table > 0) return WeightedDraw(scheme.seed, table, scheme.bits_per_key);
  std::vector<int> all(PdqHash::kBits);
  std::iota(all.begin(), all.end(), 0);
  std::stable_sort(all.begin(), all.end(), LowerFrequencyFirst);
  all.resize(scheme.bits_per_key);
  return all;
}

std::vector<MatchKey> BaseKeys(const PdqHash& hash, const KeyScheme& scheme) {
  assert(scheme.Validate().ok());
  std::vector<MatchKey> keys;
  keys.reserve(scheme.tables);
  for (std::uint32_t table = 0; table < scheme.tables; ++table) {
    keys.push_back(KeyFromBits(hash, table, SelectedPositions(scheme, table)));
  }
  return keys;
}

std::uint32_t ProbeBudget(const KeyScheme& scheme, std::uint32_t table) {
  assert(scheme.Validate().ok() && table < scheme.tables);
  return scheme.probes / scheme.tables + (table < scheme.probes % scheme.tables ? 1 : 0);
}

std::vector<MatchKey> ProbeKeys(const PdqHash& hash, const BitMargins& margins,
                                const KeyScheme& scheme) {
  assert(scheme.Validate().ok());
  std::vector<MatchKey> keys;
  keys.reserve(scheme.probes);
  for (std::uint32_t table = 0; table < scheme.tables; ++table) {
    const std::vector<MatchKey> probes =
        TableProbes(hash, margins, scheme, table, ProbeBudget(scheme, table));
    keys.insert(keys.end(), probes.begin(), probes.end());
  }
  return keys;
}

}  // namespace hashveil::matcher
