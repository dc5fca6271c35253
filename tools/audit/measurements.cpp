#include "audit/measurements.h"

#include <algorithm>
#include <unordered_map>

#include "audit/parallel_for.h"
#include "audit/transforms.h"

namespace hashveil::audit {
namespace {

using matcher::PdqResult;

bool Matchable(const PdqResult& image) { return image.quality >= matcher::kPdqMinQuality; }

bool PlainMatch(const PdqResult& device, const PdqResult& listed) {
  return Matchable(device) && matcher::HammingDistance(device.hash, listed.hash) <= matcher::kPdqMatchDistance;
}

bool PlainDihedralMatch(const PdqResult& device, const PdqResult& listed) {
  if (!Matchable(device)) return false;
  return std::any_of(device.dihedral->begin(), device.dihedral->end(), [&](const auto& hash) {
    return matcher::HammingDistance(hash, listed.hash) <= matcher::kPdqMatchDistance;
  });
}

// Counts for one original across every transform, merged after the parallel pass.
struct ImageCounts {
  std::vector<std::uint8_t> hashed, plain, plain_dihedral;  // per transform, 0 or 1
  std::vector<int> distance;                                // per transform, -1 if not hashed
  std::vector<std::vector<std::uint8_t>> private_match;    // [transform][scheme]
};

ImageCounts CountImage(const ImageHashes& image, const std::vector<MatchingScheme>& schemes,
                       const std::vector<std::vector<matcher::MatchKey>>& base_keys) {
  const std::size_t transforms = image.transformed.size();
  ImageCounts counts{std::vector<std::uint8_t>(transforms), std::vector<std::uint8_t>(transforms),
                     std::vector<std::uint8_t>(transforms), std::vector<int>(transforms, -1),
                     std::vector<std::vector<std::uint8_t>>(
                         transforms, std::vector<std::uint8_t>(schemes.size()))};
  for (std::size_t t = 0; t < transforms; ++t) {
    if (!image.transformed[t]) continue;
    const PdqResult& device = *image.transformed[t];
    counts.hashed[t] = 1;
    counts.distance[t] = matcher::HammingDistance(device.hash, image.original.hash);
    counts.plain[t] = PlainMatch(device, image.original);
    counts.plain_dihedral[t] = PlainDihedralMatch(device, image.original);
    if (!Matchable(device)) continue;  // its voucher's probes cannot match
    for (std::size_t s = 0; s < schemes.size(); ++s) {
      counts.private_match[t][s] = AnyProbeMatches(DeviceProbes(device, schemes[s]), base_keys[s]);
    }
  }
  return counts;
}

struct MatchKeyHash {
  std::size_t operator()(const matcher::MatchKey& key) const {
    // FNV-1a: keys are near-uniform bits, any mixing of all bytes will do.
    std::uint64_t h = 1469598103934665603ULL;
    for (std::uint8_t byte : key) h = (h ^ byte) * 1099511628211ULL;
    return static_cast<std::size_t>(h);
  }
};

}  // namespace

std::vector<KeyMatch> FindKeyMatches(const CorpusHashes& corpus, const MatchingScheme& scheme) {
  const std::vector<ImageHashes>& images = corpus.images;
  std::unordered_map<matcher::MatchKey, std::vector<std::size_t>, MatchKeyHash> listed;
  for (std::size_t b = 0; b < images.size(); ++b) {
    for (const matcher::MatchKey& key : matcher::BaseKeys(images[b].original.hash, scheme.keys)) {
      listed[key].push_back(b);
    }
  }
  std::vector<KeyMatch> matches;
  for (std::size_t a = 0; a < images.size(); ++a) {
    const std::size_t first = matches.size();
    const std::vector<matcher::MatchKey> probes = DeviceProbes(images[a].original, scheme);
    for (std::uint32_t rank = 0; rank < probes.size(); ++rank) {
      const auto found = listed.find(probes[rank]);
      if (found == listed.end()) continue;
      for (std::size_t b : found->second) {
        if (b != a) matches.push_back({a, b, rank, 0});
      }
    }
    // One entry per listed image, with its first (lowest-rank) matching probe.
    std::stable_sort(matches.begin() + first, matches.end(),
                     [](const KeyMatch& x, const KeyMatch& y) { return x.listed < y.listed; });
    matches.erase(
        std::unique(matches.begin() + first, matches.end(),
                    [](const KeyMatch& x, const KeyMatch& y) { return x.listed == y.listed; }),
        matches.end());
    for (std::size_t i = first; i < matches.size(); ++i) {
      matches[i].distance = matcher::HammingDistance(images[a].original.hash,
                                                     images[matches[i].listed].original.hash);
    }
  }
  return matches;
}

std::uint64_t DistanceHistogram::total() const {
  std::uint64_t sum = 0;
  for (std::uint64_t c : counts) sum += c;
  return sum;
}

int DistanceHistogram::Median() const {
  const std::uint64_t n = total();
  if (n == 0) return 0;
  std::uint64_t seen = 0;
  for (int d = 0; d <= 256; ++d) {
    seen += counts[d];
    if (2 * seen >= n) return d;
  }
  return 256;
}

std::vector<TransformMeasurement> MeasureTransforms(const CorpusHashes& corpus,
                                                    const std::vector<MatchingScheme>& schemes,
                                                    unsigned threads) {
  const std::size_t transforms = TransformSuite().size();
  std::vector<ImageCounts> per_image(corpus.images.size());
  ParallelFor(corpus.images.size(), threads, [&](std::uint64_t i) {
    std::vector<std::vector<matcher::MatchKey>> base_keys;
    for (const MatchingScheme& scheme : schemes) {
      base_keys.push_back(matcher::BaseKeys(corpus.images[i].original.hash, scheme.keys));
    }
    per_image[i] = CountImage(corpus.images[i], schemes, base_keys);
  });

  std::vector<TransformMeasurement> results(transforms);
  for (std::size_t t = 0; t < transforms; ++t) {
    TransformMeasurement& r = results[t];
    r.images = corpus.images.size();
    std::uint64_t plain = 0, plain_dihedral = 0;
    std::vector<std::uint64_t> matched(schemes.size());
    for (const ImageCounts& counts : per_image) {
      if (!counts.hashed[t]) {
        ++r.failed;
        continue;
      }
      ++r.distances.counts[counts.distance[t]];
      plain += counts.plain[t];
      plain_dihedral += counts.plain_dihedral[t];
      for (std::size_t s = 0; s < schemes.size(); ++s) matched[s] += counts.private_match[t][s];
    }
    const double n = std::max<double>(1, static_cast<double>(r.images));
    r.plain_recall = plain / n;
    r.plain_dihedral_recall = plain_dihedral / n;
    for (std::uint64_t m : matched) r.private_recall.push_back(m / n);
  }
  return results;
}

std::vector<double> ModelPairRates(const CorpusHashes& corpus,
                                   const std::vector<MatchingScheme>& schemes) {
  std::array<double, matcher::PdqHash::kBits> frequency{};
  for (const ImageHashes& image : corpus.images) {
    for (int b = 0; b < matcher::PdqHash::kBits; ++b) frequency[b] += image.original.hash.bit(b);
  }
  for (double& f : frequency) f /= std::max<std::size_t>(1, corpus.images.size());
  std::vector<double> rates;
  for (const MatchingScheme& scheme : schemes) {
    double rate = 0;
    for (std::uint32_t table = 0; table < scheme.keys.tables; ++table) {
      double collision = 1;
      for (int position : matcher::SelectedPositions(scheme.keys, table)) {
        const double p = frequency[position];
        collision *= p * p + (1 - p) * (1 - p);
      }
      rate += matcher::ProbeBudget(scheme.keys, table) * collision;
    }
    rates.push_back(std::min(1.0, rate));
  }
  return rates;
}

PairMeasurements MeasurePairs(const CorpusHashes& corpus, const std::vector<MatchingScheme>& schemes,
                              unsigned threads) {
  const std::vector<ImageHashes>& images = corpus.images;
  const std::size_t n = images.size();
  PairMeasurements result;
  result.plain.ordered_pairs = n < 2 ? 0 : static_cast<std::uint64_t>(n) * (n - 1);
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) {
      if (a == b) continue;
      const int d = matcher::HammingDistance(images[a].original.hash, images[b].original.hash);
      if (a < b) ++result.plain.distances.counts[d];
      result.plain.matches += d <= matcher::kPdqMatchDistance;
      result.plain.dihedral_matches += PlainDihedralMatch(images[a].original, images[b].original);
    }
  }

  result.private_matching.resize(schemes.size());
  ParallelFor(schemes.size(), threads, [&](std::uint64_t s) {
    PrivatePairMeasurement& out = result.private_matching[s];
    for (const KeyMatch& match : FindKeyMatches(corpus, schemes[s])) {
      ++out.key_matches;
      if (match.distance > matcher::kPdqMatchDistance) out.distinct_matches.push_back(match);
    }
    out.false_matches = out.distinct_matches.size();
  });
  return result;
}

}  // namespace hashveil::audit
