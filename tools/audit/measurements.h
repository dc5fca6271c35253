// What the audit measures from the corpus hashes (docs/design.md section 8): per transform, how far
// the hash moves and how often plain PDQ and the private matching still match; over all pairs of
// distinct corpus images, how often they match when they should not.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "audit/corpus_hashes.h"
#include "audit/parameter_set.h"

namespace hashveil::audit {

// Counts of Hamming distances 0..256.
struct DistanceHistogram {
  std::array<std::uint64_t, 257> counts{};
  std::uint64_t total() const;
  // The lower median; 0 when empty.
  int Median() const;
};

struct TransformMeasurement {
  std::uint64_t images = 0;  // usable originals: the denominator of every recall
  std::uint64_t failed = 0;  // transform or hashing failures, counted as misses
  DistanceHistogram distances;  // transformed vs original, over the hashed ones
  double plain_recall = 0;           // distance <= 31, both of quality >= 50
  double plain_dihedral_recall = 0;  // the same, with any of the transformed image's 8 hashes
  std::vector<double> private_recall;  // per matching scheme, in the order given
};

// Per transform of TransformSuite(), in suite order. `threads` as in ParallelFor.
std::vector<TransformMeasurement> MeasureTransforms(const CorpusHashes& corpus,
                                                    const std::vector<MatchingScheme>& schemes,
                                                    unsigned threads);

struct PlainPairMeasurement {
  std::uint64_t ordered_pairs = 0;
  std::uint64_t matches = 0;           // ordered pairs within distance 31
  std::uint64_t dihedral_matches = 0;  // any dihedral hash of the first within 31 of the second
  DistanceHistogram distances;         // over unordered pairs
};

// An ordered pair (device, listed) of corpus images where a probe of `device` equals a base key
// of `listed`.
struct KeyMatch {
  std::size_t device = 0, listed = 0;  // indices into CorpusHashes::images
  std::uint32_t probe_rank = 0;        // the first matching probe's index in DeviceProbes
  int distance = 0;                    // PDQ distance between the two originals
  friend bool operator==(const KeyMatch&, const KeyMatch&) = default;
};

// Every ordered pair of distinct corpus images that key-matches under `scheme`, sorted by
// (device, listed): the base keys are indexed in a hash table and each image's probes looked up
// in it, so the cost is images x P lookups, not pairs x P x L comparisons.
std::vector<KeyMatch> FindKeyMatches(const CorpusHashes& corpus, const MatchingScheme& scheme);

struct PrivatePairMeasurement {
  std::uint64_t key_matches = 0;    // ordered pairs (a, b): a probe of a equals a base key of b
  std::uint64_t false_matches = 0;  // those with PDQ distance > 31: distinct photos
  std::vector<KeyMatch> distinct_matches;  // those false matches, all of them
};

struct PairMeasurements {
  PlainPairMeasurement plain;
  std::vector<PrivatePairMeasurement> private_matching;  // per matching scheme
};

// The independent-bits model of a key collision between unrelated images: per table l, with p_i
// the corpus frequency of each selected bit, q_l = prod_i (p_i^2 + (1 - p_i)^2); a device's
// P probes meet one DB entry's base keys with rate sum_l ProbeBudget(l) * q_l. Unlike the
// Clopper-Pearson bound it extrapolates below 1/pairs; it ignores correlations between bits
// (which only raise collisions), so it is an optimistic estimate, and 2^-k is its floor.
std::vector<double> ModelPairRates(const CorpusHashes& corpus,
                                   const std::vector<MatchingScheme>& schemes);

// All ordered pairs of distinct corpus images (a's device-side probes against b's DB-side base
// keys), for plain PDQ at 31 and each scheme.
PairMeasurements MeasurePairs(const CorpusHashes& corpus, const std::vector<MatchingScheme>& schemes,
                              unsigned threads);

}  // namespace hashveil::audit
