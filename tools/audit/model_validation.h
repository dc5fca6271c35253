// The validated false-match model (issue 12; docs/audit.md, "Model validation"). Key matches
// between unrelated photos are too rare to observe at a set's own k (64: none in 496,320 pairs),
// so the audit predicts them with two models, checks each against what it observes at short
// keys (k' = 16..40, where they are common), and carries each model's measured error, as a
// conservative correction factor, to the set's own k:
// - independent bits (ModelPairRates): per-bit frequencies only;
// - beta-binomial (correlated): per table, the Hamming distance D between two unrelated photos'
//   k selected bits is fitted as BetaBinomial; a probe that flips a set F of j bits of the
//   device's base key meets a DB entry's base key iff the entry differs in exactly F, which has
//   probability P(D = j) / C(k, j) when every j-subset is equally likely. The fit uses every
//   pair's distance, not its matches, so it predicts k = 64 without having seen a k = 64 match.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "audit/beta_binomial.h"
#include "audit/corpus_hashes.h"
#include "audit/parameter_set.h"
#include "audit/statistics.h"

namespace hashveil::audit {

// The key lengths the models are checked at (those below the set's own k).
inline constexpr std::uint32_t kValidationBits[] = {16, 24, 32, 40};

// `scheme` with k replaced by each validation length below its own k, shortest first.
std::vector<MatchingScheme> ValidationSchemes(const MatchingScheme& scheme);

// The population the models describe: unrelated photos, PDQ distance >= 64 (half the 128 two
// unrelated hashes differ in on average; 8 standard deviations of a fair coin's 256 bits below
// it). Pairs at 32..63 are distinct photos by the DB's rule (> 31) but, in this corpus, versions
// of one picture or one scene (a thumbnail and its original, a letterboxed copy, two shots of a
// calibration board): what PDQ is meant to find, not chance collisions, and no extrapolation in
// k applies to them (they key-match at every k). The audit lists every key match among distinct
// photos, these included, with thumbnails (the no-key-match criterion counts them all); the
// models, their validation and the per-image rate are for unrelated photos, the population an
// innocent account's images form against a DB of known abuse images.
inline constexpr int kUnrelatedPairDistance = 64;

// Which ordered pairs of corpus images are unrelated photos (PDQ distance >= 64).
class UnrelatedPairs {
 public:
  explicit UnrelatedPairs(const CorpusHashes& corpus);
  bool unrelated(std::size_t a, std::size_t b) const { return unrelated_[a * images_ + b] != 0; }
  std::uint64_t PerDevice(std::size_t a) const { return per_device_[a]; }
  std::uint64_t ordered_pairs() const { return ordered_pairs_; }

 private:
  std::size_t images_;
  std::vector<std::uint8_t> unrelated_;
  std::vector<std::uint64_t> per_device_;
  std::uint64_t ordered_pairs_ = 0;
};

// What the corpus shows for one scheme: observed key matches among unrelated photos and what
// each model expects over the same pairs.
struct SchemeEvidence {
  std::uint64_t observed = 0;                      // ordered distinct pairs that key-match
  std::vector<std::uint64_t> observed_per_device;  // the same, per device-side image
  double independent_expected = 0;                 // ModelPairRates x distinct ordered pairs
  double correlated_expected = 0;                  // the beta-binomial model over the same pairs
  std::vector<BetaBinomial> fits;                  // per table
};

SchemeEvidence MeasureEvidence(const CorpusHashes& corpus, const UnrelatedPairs& pairs,
                               const MatchingScheme& scheme);

// Observed events against a model's expectation at one key length.
struct ObservedExpected {
  std::uint32_t bits = 0;
  std::uint64_t observed = 0;
  double expected = 0;
};

// The correction factor a model's rate at `target_bits` is multiplied by (the rule, pinned by
// unit tests): the Garwood 95% upper bound of the pooled ratio sum O / sum E over the points;
// and when a weighted least-squares line of log(O/E) against k (weights O, the inverse variance
// of a log Poisson count; points with O = 0 left out; at least two key lengths) rises, the
// larger of that and the line's upper 95% bound at target_bits (its standard error scaled by
// the residual overdispersion when there are more than two points). Points with E = 0 are
// ignored; with none left the factor is +infinity: the model is not validated.
struct Correction {
  double factor = std::numeric_limits<double>::infinity();
  double pooled_ratio = 0, pooled_upper = 0;
  bool trend_fitted = false;
  double trend_slope = 0;   // d log(O/E) / dk, per bit
  double trend_central = 0;  // the line's value (O/E) at target_bits
  double trend_upper = 0;   // the line's upper bound at target_bits
  bool trend_used = false;  // rising: the factor is max(pooled_upper, trend_upper)
};
Correction ConservativeCorrection(const std::vector<ObservedExpected>& points,
                                  std::uint32_t target_bits);

// The held-out check: the rule's prediction at a key length it did not see, beside what was
// observed there. The length is the first after two observed lengths (so the trend the rule
// carries is fitted without it), else the longest observed one predicted from the shorter ones.
// The rule passes when the observation does not exceed predicted_upper. A zero observation
// passes any prediction: the check can only catch a rule that predicts too few.
struct HeldOutCheck {
  bool possible = false;  // needs observations at a longest k' and at least one shorter one
  std::uint32_t bits = 0;
  std::uint64_t observed = 0;
  PoissonInterval observed_interval;
  double predicted = 0;        // E(k') x the shorter points' trend (if rising) or pooled ratio
  double predicted_upper = 0;  // E(k') x their correction factor
  // Whether the rule passed: possible, and the observation not above predicted_upper.
  bool covered() const { return possible && static_cast<double>(observed) <= predicted_upper; }
};
HeldOutCheck HoldOutLongest(const std::vector<ObservedExpected>& points);

// The ratio of the riskiest decile's mean to the whole corpus's mean of `per_image` counts:
// the top ceil(n / 10) images' share of the events over their share of the images. It cannot
// exceed n / ceil(n / 10) (all events in the decile), which is returned when there are none.
double DecileMultiplier(std::vector<std::uint64_t> per_image);

struct ModelEstimate {
  std::vector<ObservedExpected> points;  // per validation length
  Correction correction;
  HeldOutCheck held_out;
  double pair_rate = 0;            // the model at the set's own k, per ordered distinct pair
  double corrected_pair_rate = 0;  // min(1, pair_rate x factor)
};

struct ModelValidation {
  std::vector<std::uint32_t> bits;              // the validation lengths used
  std::vector<std::uint64_t> observed;          // per length
  std::vector<std::vector<BetaBinomial>> fits;  // per length, per table
  std::vector<BetaBinomial> own_fits;           // at the set's own k
  ModelEstimate independent, correlated;
  double validated_pair_rate = 1;  // the larger corrected model (the carried one)
  // Whether the carried model passed its held-out check (observation <= predicted_upper). A
  // rule whose extrapolation one step ahead misses what was observed there is not trusted
  // further out, so without it the rates below are not validated.
  bool validated = false;
  double validated_per_image_rate = 1;  // min(1, validated_pair_rate x N)
  // Heterogeneity: the riskiest decile of photos. The largest DecileMultiplier over the lengths
  // with at least kDecileMinEvents observations (device side), or its bound without any.
  double riskiest_decile_multiplier = 0;
  double riskiest_per_image_rate = 1;  // min(1, validated_per_image_rate x multiplier)
};

inline constexpr std::uint64_t kDecileMinEvents = 20;

// Assembles the validation of `scheme` from the evidence at its validation lengths (in the order
// of ValidationSchemes) and at its own k.
ModelValidation ValidateModel(const MatchingScheme& scheme,
                              const std::vector<const SchemeEvidence*>& validation,
                              const SchemeEvidence& own, std::uint64_t unrelated_pairs,
                              double db_entries);

}  // namespace hashveil::audit
