#include "audit/measurements.h"

#include <gtest/gtest.h>

#include <cmath>

#include "audit/transforms.h"

namespace hashveil::audit {
namespace {

ImageHashes Image(std::uint16_t word_value) {
  ImageHashes image;
  image.original.hash.words.fill(word_value);
  image.original.quality = 100;
  for (float& m : image.original.margins) m = 1.0f;
  image.original.dihedral.emplace();
  image.original.dihedral->fill(image.original.hash);
  image.transformed.resize(TransformSuite().size());
  return image;
}

const MatchingScheme kScheme{{.tables = 1, .bits_per_key = 32, .probes = 8}, false};

TEST(MeasurementsTest, ModelRateIsProbesTimesTwoToMinusKForUnbiasedBits) {
  CorpusHashes corpus;
  corpus.images = {Image(0x0000), Image(0xFFFF)};  // every bit set in exactly half
  const std::vector<double> rates = ModelPairRates(corpus, {kScheme});
  ASSERT_EQ(rates.size(), 1u);
  EXPECT_DOUBLE_EQ(rates[0], 8 * std::ldexp(1.0, -32));
}

TEST(MeasurementsTest, ModelRateIsOneWhenEveryImageHasTheSameKey) {
  CorpusHashes corpus;
  corpus.images = {Image(0x1234), Image(0x1234)};
  EXPECT_DOUBLE_EQ(ModelPairRates(corpus, {kScheme})[0], 1.0);
}

TEST(MeasurementsTest, PairsCountMatchesBothWaysAndSeparateFalseMatches) {
  CorpusHashes corpus;
  // 0 and 1 are the same picture; 2 differs in every bit.
  corpus.images = {Image(0x0F0F), Image(0x0F0F), Image(0xF0F0)};
  const PairMeasurements pairs = MeasurePairs(corpus, {kScheme}, 2);
  EXPECT_EQ(pairs.plain.ordered_pairs, 6u);
  EXPECT_EQ(pairs.plain.matches, 2u);
  EXPECT_EQ(pairs.plain.distances.total(), 3u);
  EXPECT_EQ(pairs.plain.distances.counts[0], 1u);
  EXPECT_EQ(pairs.plain.distances.counts[256], 2u);
  ASSERT_EQ(pairs.private_matching.size(), 1u);
  EXPECT_EQ(pairs.private_matching[0].key_matches, 2u);
  EXPECT_EQ(pairs.private_matching[0].false_matches, 0u);  // distance 0: a true match
}

TEST(MeasurementsTest, HistogramMedianIsTheLowerMedian) {
  DistanceHistogram h;
  h.counts[3] = 2;
  h.counts[10] = 2;
  EXPECT_EQ(h.Median(), 3);
  EXPECT_EQ(DistanceHistogram{}.Median(), 0);
}

}  // namespace
}  // namespace hashveil::audit
