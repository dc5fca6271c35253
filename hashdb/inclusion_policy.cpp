#include "inclusion_policy.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "multi_index.h"

namespace hashveil::hashdb {
namespace {

// Disjoint sets over 0..n-1 with path halving and union by size.
class UnionFind {
 public:
  explicit UnionFind(std::size_t n) : parent_(n), size_(n, 1) {
    std::iota(parent_.begin(), parent_.end(), 0u);
  }

  std::uint32_t Find(std::uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }

  void Union(std::uint32_t a, std::uint32_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return;
    if (size_[a] < size_[b]) std::swap(a, b);
    parent_[b] = a;
    size_[a] += size_[b];
  }

 private:
  std::vector<std::uint32_t> parent_;
  std::vector<std::uint32_t> size_;
};

bool PassesQuality(const HeldHash& held, std::uint32_t min_quality) {
  return !held.quality || *held.quality >= min_quality;
}

// Decides one merged entry from its members (indices into `hashes`); nullopt when the policy
// leaves it out.
std::optional<PublishedEntry> MergeEntry(const InclusionPolicy& policy,
                                         std::span<const SourceInfo> sources,
                                         std::span<const HeldHash> hashes,
                                         std::span<const std::uint32_t> members) {
  std::vector<std::uint32_t> holders;
  for (std::uint32_t m : members) {
    holders.insert(holders.end(), hashes[m].holders.begin(), hashes[m].holders.end());
  }
  std::sort(holders.begin(), holders.end());
  holders.erase(std::unique(holders.begin(), holders.end()), holders.end());

  std::size_t independent = holders.size();
  if (policy.distinct_jurisdictions) {
    std::vector<std::string> jurisdictions;
    for (std::uint32_t h : holders) jurisdictions.push_back(sources[h].jurisdiction);
    std::sort(jurisdictions.begin(), jurisdictions.end());
    independent = static_cast<std::size_t>(
        std::unique(jurisdictions.begin(), jurisdictions.end()) - jurisdictions.begin());
  }
  if (independent < policy.min_sources) return std::nullopt;

  const HeldHash* representative = &hashes[members.front()];
  for (std::uint32_t m : members.subspan(1)) {
    const HeldHash& candidate = hashes[m];
    if (candidate.holders.size() > representative->holders.size() ||
        (candidate.holders.size() == representative->holders.size() &&
         HexOrderLess(candidate.hash, representative->hash))) {
      representative = &candidate;
    }
  }
  PublishedEntry entry;
  entry.hash = representative->hash;
  entry.quality = representative->quality.value_or(0);
  for (std::uint32_t h : holders) entry.sources.push_back(sources[h].name);
  std::sort(entry.sources.begin(), entry.sources.end());
  return entry;
}

}  // namespace

bool HexOrderLess(const matcher::PdqHash& a, const matcher::PdqHash& b) {
  return std::lexicographical_compare(a.words.rbegin(), a.words.rend(), b.words.rbegin(),
                                      b.words.rend());
}

Result<IncludedSet> ApplyInclusionPolicy(const InclusionPolicy& policy,
                                         std::span<const SourceInfo> sources,
                                         std::span<const HeldHash> hashes, unsigned threads,
                                         const ProgressCallback& progress) {
  IncludedSet set;
  InclusionCounts& counts = set.counts;
  counts.hashes = hashes.size();
  std::vector<std::uint32_t> passing;  // indices into hashes
  std::vector<matcher::PdqHash> passing_hashes;
  for (std::uint32_t i = 0; i < hashes.size(); ++i) {
    if (!PassesQuality(hashes[i], policy.min_quality)) {
      ++counts.below_min_quality;
      continue;
    }
    passing.push_back(i);
    passing_hashes.push_back(hashes[i].hash);
  }
  HV_ASSIGN_OR_RETURN(const auto pairs,
                      FindNearPairs(passing_hashes, static_cast<int>(policy.merge_distance),
                                    threads, progress));
  UnionFind components(passing.size());
  for (const NearPair& pair : pairs) components.Union(pair.first, pair.second);

  // Members grouped by component: (root, index into hashes), sorted.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> grouped(passing.size());
  for (std::uint32_t k = 0; k < passing.size(); ++k) grouped[k] = {components.Find(k), passing[k]};
  std::sort(grouped.begin(), grouped.end());

  std::vector<PublishedEntry>& entries = set.entries;
  std::vector<std::uint32_t> members;
  for (std::size_t begin = 0, end; begin < grouped.size(); begin = end) {
    members.clear();
    for (end = begin; end < grouped.size() && grouped[end].first == grouped[begin].first; ++end) {
      members.push_back(grouped[end].second);
    }
    if (auto entry = MergeEntry(policy, sources, hashes, members)) {
      entries.push_back(std::move(*entry));
      counts.merged += members.size() - 1;
    } else {
      ++counts.too_few_sources;
      counts.hashes_in_too_few_sources += members.size();
    }
  }
  std::sort(entries.begin(), entries.end(), [](const PublishedEntry& a, const PublishedEntry& b) {
    return HexOrderLess(a.hash, b.hash);
  });
  return set;
}

}  // namespace hashveil::hashdb
