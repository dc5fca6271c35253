#include "audit/measurements.h"

#include <gtest/gtest.h>

#include <algorithm>
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

const MatchingScheme kScheme{{.tables = 1, .bits_per_key = 32, .probes = 8, .revision = 1}, false};

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
  EXPECT_TRUE(pairs.private_matching[0].distinct_matches.empty());
}

TEST(MeasurementsTest, KeyMatchesNameTheFirstMatchingProbeAndTheDistance) {
  CorpusHashes corpus;
  // 1 differs from 0 in one key bit (bit 0, selected by table 0) and in 40 others: distinct
  // photos whose keys are one flip apart.
  corpus.images = {Image(0x0000), Image(0x0000), Image(0xFFFF)};
  corpus.images[1].original.hash.set_bit(0, true);
  for (int b = 200; b < 240; ++b) corpus.images[1].original.hash.set_bit(b, true);
  const std::vector<int> selected = matcher::SelectedPositions(kScheme.keys, 0);
  ASSERT_NE(std::find(selected.begin(), selected.end(), 0), selected.end());
  corpus.images[0].original.margins[0] = 0.01f;   // bit 0 is image 0's first flip
  corpus.images[1].original.margins[0] = 100.0f;  // and image 1's last: only 0 -> 1 matches
  const std::vector<KeyMatch> matches = FindKeyMatches(corpus, kScheme);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].device, 0u);
  EXPECT_EQ(matches[0].listed, 1u);
  EXPECT_EQ(matches[0].probe_rank, 1u);  // rank 0 is the base key
  EXPECT_EQ(matches[0].distance, 41);
  const PairMeasurements pairs = MeasurePairs(corpus, {kScheme}, 1);
  EXPECT_EQ(pairs.private_matching[0].false_matches, 1u);
  EXPECT_EQ(pairs.private_matching[0].distinct_matches, matches);
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
