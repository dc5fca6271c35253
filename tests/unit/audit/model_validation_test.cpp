#include "audit/model_validation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "audit/measurements.h"
#include "audit/transforms.h"

namespace hashveil::audit {
namespace {

TEST(ModelValidationTest, SchemesAreTheShorterValidationLengths) {
  const MatchingScheme scheme{{.tables = 1, .bits_per_key = 32, .probes = 16}, false};
  const std::vector<MatchingScheme> shorter = ValidationSchemes(scheme);
  ASSERT_EQ(shorter.size(), 2u);
  EXPECT_EQ(shorter[0].keys.bits_per_key, 16u);
  EXPECT_EQ(shorter[1].keys.bits_per_key, 24u);
  EXPECT_EQ(shorter[1].keys.probes, 16u);
  MatchingScheme long_keys = scheme;
  long_keys.keys.bits_per_key = 64;
  EXPECT_EQ(ValidationSchemes(long_keys).size(), 4u);
}

TEST(CorrectionTest, AFallingRatioUsesThePooledUpperBound) {
  const std::vector<ObservedExpected> points = {
      {16, 100, 90}, {24, 100, 95}, {32, 100, 100}, {40, 100, 105}};
  const Correction c = ConservativeCorrection(points, 64);
  EXPECT_TRUE(c.trend_fitted);
  EXPECT_LT(c.trend_slope, 0);
  EXPECT_FALSE(c.trend_used);
  EXPECT_DOUBLE_EQ(c.pooled_ratio, 400.0 / 390.0);
  EXPECT_DOUBLE_EQ(c.factor, GarwoodInterval(400).upper / 390.0);
}

TEST(CorrectionTest, ARisingRatioIsExtrapolatedAndGivesMoreThanPooling) {
  // O/E doubles every 8 bits: 1, 2, 4, 8; at k = 64 the line says 64.
  const std::vector<ObservedExpected> points = {
      {16, 100, 100}, {24, 200, 100}, {32, 400, 100}, {40, 800, 100}};
  const Correction c = ConservativeCorrection(points, 64);
  EXPECT_TRUE(c.trend_used);
  EXPECT_NEAR(c.trend_slope, std::log(2.0) / 8, 1e-9);
  EXPECT_GT(c.factor, c.pooled_upper);
  EXPECT_GT(c.factor, 64);   // the upper bound, not the line itself
  EXPECT_LT(c.factor, 100);  // with 1500 events the line is tight
  EXPECT_EQ(c.factor, c.trend_upper);
}

TEST(CorrectionTest, ScatterAroundTheTrendWidensTheBound) {
  const std::vector<ObservedExpected> tight = {
      {16, 100, 100}, {24, 200, 100}, {32, 400, 100}, {40, 800, 100}};
  const std::vector<ObservedExpected> scattered = {
      {16, 100, 100}, {24, 400, 100}, {32, 200, 100}, {40, 800, 100}};
  EXPECT_GT(ConservativeCorrection(scattered, 64).trend_upper,
            ConservativeCorrection(tight, 64).trend_upper * 1.2);
}

TEST(CorrectionTest, FewOrNoObservations) {
  // One length: pooled only.
  const Correction one = ConservativeCorrection({{16, 1, 2}}, 64);
  EXPECT_FALSE(one.trend_fitted);
  EXPECT_DOUBLE_EQ(one.factor, GarwoodInterval(1).upper / 2);
  // No event anywhere: the zero-event bound over all expectations.
  const Correction none = ConservativeCorrection({{16, 0, 0.5}, {24, 0, 0.25}}, 64);
  EXPECT_DOUBLE_EQ(none.factor, GarwoodInterval(0).upper / 0.75);
  // Nothing expected: not validated.
  EXPECT_TRUE(std::isinf(ConservativeCorrection({{16, 3, 0}}, 64).factor));
  EXPECT_TRUE(std::isinf(ConservativeCorrection({}, 64).factor));
}

TEST(HeldOutTest, PredictsTheFirstLengthAfterTwoObservedOnes) {
  const std::vector<ObservedExpected> points = {
      {16, 200, 100}, {24, 40, 20}, {32, 8, 4}, {40, 0, 0.8}};
  const HeldOutCheck check = HoldOutLongest(points);
  ASSERT_TRUE(check.possible);
  EXPECT_EQ(check.bits, 32u);
  EXPECT_EQ(check.observed, 8u);
  EXPECT_NEAR(check.predicted, 4 * 240.0 / 120.0, 1e-9);  // a flat ratio: the pooled one
  EXPECT_DOUBLE_EQ(check.predicted_upper,
                   4 * ConservativeCorrection({points[0], points[1]}, 32).factor);
}

// A rising ratio is predicted by its trend, and a length with no observation is held out too:
// the rule that carries a trend must not have seen the point that tests it.
TEST(HeldOutTest, ARisingTrendIsTestedAtTheNextLengthEvenWithNoObservation) {
  const std::vector<ObservedExpected> points = {
      {16, 600, 360}, {24, 16, 1.4}, {32, 0, 0.0055}, {40, 0, 2e-5}};
  const HeldOutCheck check = HoldOutLongest(points);
  ASSERT_TRUE(check.possible);
  EXPECT_EQ(check.bits, 32u);
  EXPECT_EQ(check.observed, 0u);
  const Correction rule = ConservativeCorrection({points[0], points[1]}, 32);
  ASSERT_TRUE(rule.trend_used);
  EXPECT_NEAR(check.predicted, 0.0055 * rule.trend_central, 1e-12);
  EXPECT_GT(check.predicted, 0.0055 * rule.pooled_ratio);  // the trend, not the pooled ratio
  EXPECT_DOUBLE_EQ(check.predicted_upper, 0.0055 * rule.factor);
  // A rule that saw no trend under-predicts a rising one: the old check caught that.
  const HeldOutCheck one_shorter = HoldOutLongest({{16, 600, 360}, {24, 16, 1.4}});
  ASSERT_TRUE(one_shorter.possible);
  EXPECT_EQ(one_shorter.bits, 24u);
  EXPECT_GT(one_shorter.observed, one_shorter.predicted_upper);
  EXPECT_FALSE(HoldOutLongest({{16, 5, 2}}).possible);  // nothing shorter
}

TEST(DecileTest, MultiplierIsTheTopDecilesShareOverItsSize) {
  std::vector<std::uint64_t> counts(10, 0);
  counts[3] = 7;
  EXPECT_DOUBLE_EQ(DecileMultiplier(counts), 10);  // all in one image of ten
  EXPECT_DOUBLE_EQ(DecileMultiplier(std::vector<std::uint64_t>(10, 2)), 1);
  EXPECT_DOUBLE_EQ(DecileMultiplier(std::vector<std::uint64_t>(10, 0)), 10);  // the bound
  std::vector<std::uint64_t> twenty(20, 1);
  twenty[0] = twenty[1] = 10;  // the top 2 of 20 hold 20 of 38
  EXPECT_DOUBLE_EQ(DecileMultiplier(twenty), 20.0 / 38.0 * 10);
}

ImageHashes RandomImage(std::mt19937_64& random) {
  ImageHashes image;
  for (auto& word : image.original.hash.words) word = static_cast<std::uint16_t>(random());
  image.original.quality = 100;
  for (float& m : image.original.margins) m = 1.0f + static_cast<float>(random() % 1000) / 100;
  image.original.dihedral.emplace();
  image.original.dihedral->fill(image.original.hash);
  image.transformed.resize(TransformSuite().size());
  return image;
}

TEST(EvidenceTest, IndependentRandomBitsMatchBothModels) {
  std::mt19937_64 random(11);
  CorpusHashes corpus;
  for (int i = 0; i < 300; ++i) corpus.images.push_back(RandomImage(random));
  const UnrelatedPairs pairs(corpus);
  EXPECT_EQ(pairs.ordered_pairs(), 300u * 299u);
  const MatchingScheme scheme{{.tables = 1, .bits_per_key = 16, .probes = 8, .revision = 1}, false};
  const SchemeEvidence e = MeasureEvidence(corpus, pairs, scheme);
  // Uniform bits: 8 probes x 2^-16 per ordered pair, about 10.9 matches.
  const double want = 8 * std::ldexp(1.0, -16) * 300 * 299;
  EXPECT_NEAR(e.independent_expected / want, 1, 0.1);
  EXPECT_NEAR(e.correlated_expected / want, 1, 0.5);
  EXPECT_EQ(e.observed, [&] {
    std::uint64_t n = 0;
    for (const KeyMatch& m : FindKeyMatches(corpus, scheme))
      n += pairs.unrelated(m.device, m.listed);
    return n;
  }());
  // Poisson(10.9): 99.9% within [2, 24].
  EXPECT_GE(e.observed, 2u);
  EXPECT_LE(e.observed, 24u);
  std::uint64_t per_device = 0;
  for (std::uint64_t n : e.observed_per_device) per_device += n;
  EXPECT_EQ(per_device, e.observed);
}

TEST(EvidenceTest, ClusteredPhotosAreSeenByTheCorrelatedModelOnly) {
  // 30 photos in 6 families of 5 that share their 16 key bits but for one, yet differ in
  // most other bits (distinct photos: PDQ distance > 31): the correlated collisions the
  // independent-bits model cannot see.
  std::mt19937_64 random(5);
  const MatchingScheme scheme{{.tables = 1, .bits_per_key = 16, .probes = 17, .revision = 1},
                              false};
  const std::vector<int> key_bits = matcher::SelectedPositions(scheme.keys, 0);
  CorpusHashes corpus;
  for (int family = 0; family < 6; ++family) {
    const ImageHashes parent = RandomImage(random);
    for (int member = 0; member < 5; ++member) {
      ImageHashes image = RandomImage(random);
      for (int position : key_bits)
        image.original.hash.set_bit(position, parent.original.hash.bit(position));
      const int flipped = key_bits[member * 3];
      image.original.hash.set_bit(flipped, !image.original.hash.bit(flipped));
      corpus.images.push_back(image);
    }
  }
  const UnrelatedPairs pairs(corpus);
  EXPECT_EQ(pairs.ordered_pairs(), 30u * 29u);
  const SchemeEvidence e = MeasureEvidence(corpus, pairs, scheme);
  // P = 17 covers the base key and all 16 one-bit flips: every family pair (distance 2 on the
  // key) is within reach only of two-bit flips, so none matches; but the fit sees the cluster.
  EXPECT_GT(e.correlated_expected, 3 * e.independent_expected);
  EXPECT_LT(e.fits[0].alpha + e.fits[0].beta, 30);  // strongly overdispersed
}

TEST(ValidateModelTest, CarriesTheLargerCorrectedModelToTheSetsK) {
  const MatchingScheme scheme{{.tables = 1, .bits_per_key = 32, .probes = 8}, false};
  SchemeEvidence k16, k24, own;
  k16.observed = 100;
  k16.independent_expected = 50;  // the independent model is short by 2
  k16.correlated_expected = 100;  // the correlated one is right
  k16.observed_per_device = std::vector<std::uint64_t>(10, 10);
  k24.observed = 30;
  k24.independent_expected = 10;
  k24.correlated_expected = 30;
  k24.observed_per_device = std::vector<std::uint64_t>(10, 3);
  own.independent_expected = 1e-3;
  own.correlated_expected = 1e-3;
  own.observed_per_device = std::vector<std::uint64_t>(10, 0);
  const ModelValidation v = ValidateModel(scheme, {&k16, &k24}, own, 1000, 1e6);
  EXPECT_EQ(v.bits, (std::vector<std::uint32_t>{16, 24}));
  EXPECT_DOUBLE_EQ(v.independent.pair_rate, 1e-6);
  EXPECT_GT(v.independent.correction.factor, 2);
  EXPECT_GT(v.independent.corrected_pair_rate, v.correlated.corrected_pair_rate);
  EXPECT_DOUBLE_EQ(v.validated_pair_rate, v.independent.corrected_pair_rate);
  EXPECT_DOUBLE_EQ(v.validated_per_image_rate, std::min(1.0, v.validated_pair_rate * 1e6));
  // Matches spread evenly over the images: no riskier decile (only k = 16 has >= 20 events).
  EXPECT_DOUBLE_EQ(v.riskiest_decile_multiplier, 1);
  EXPECT_DOUBLE_EQ(v.riskiest_per_image_rate, v.validated_per_image_rate);
  // The held-out check (k = 24 from k = 16): the independent model's correction there is at
  // least 100 / 50's Garwood bound, 2.3, so 30 observed against E = 10 is not covered.
  EXPECT_TRUE(v.independent.held_out.possible);
  EXPECT_GT(v.independent.held_out.observed, v.independent.held_out.predicted_upper);
  EXPECT_FALSE(v.validated);
}

TEST(ValidateModelTest, ValidatedWhenTheHeldOutLengthIsCovered) {
  const MatchingScheme scheme{{.tables = 1, .bits_per_key = 32, .probes = 8}, false};
  SchemeEvidence k16, k24, own;
  k16.observed = 100;
  k16.independent_expected = k16.correlated_expected = 100;
  k16.observed_per_device = std::vector<std::uint64_t>(10, 10);
  k24.observed = 9;
  k24.independent_expected = k24.correlated_expected = 10;
  k24.observed_per_device = std::vector<std::uint64_t>(10, 0);
  own.observed_per_device = std::vector<std::uint64_t>(10, 0);
  own.independent_expected = own.correlated_expected = 1e-6;
  const ModelValidation v = ValidateModel(scheme, {&k16, &k24}, own, 1000, 1e6);
  EXPECT_TRUE(v.validated);
  // Without a shorter length there is nothing to hold out: not validated.
  const ModelValidation single =
      ValidateModel(MatchingScheme{{.tables = 1, .bits_per_key = 24, .probes = 8}, false}, {&k16},
                    own, 1000, 1e6);
  EXPECT_FALSE(single.validated);
}

}  // namespace
}  // namespace hashveil::audit
