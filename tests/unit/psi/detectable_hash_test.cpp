#include "hashveil/common/seeded_random.h"
#include "hashveil/psi/detectable_hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace hashveil::psi {
namespace {

constexpr FieldElement kPMinus1 = kFieldPrime - 1;

// `real` tags under `key` and `synthetic` random tags, all x distinct, shuffled; returns the
// tags and the sorted positions of the real ones.
struct TagSet {
  std::vector<Tag> tags;
  std::vector<std::size_t> real;
};

TagSet MakeTags(const DetectableHashKey& key, std::size_t real, std::size_t synthetic,
                RandomSource& random, std::uint32_t shuffle_seed) {
  std::vector<std::pair<Tag, bool>> labelled;
  for (std::size_t i = 0; i < real + synthetic; ++i) {
    const FieldElement x = random.Uniform(kFieldPrime);
    if (i < real) {
      labelled.emplace_back(key.Evaluate(x), true);
    } else {
      Tag tag{x, std::vector<FieldElement>(key.synthetic_max())};
      for (FieldElement& y : tag.values) y = random.Uniform(kFieldPrime);
      labelled.emplace_back(std::move(tag), false);
    }
  }
  std::mt19937 shuffle(shuffle_seed);
  std::shuffle(labelled.begin(), labelled.end(), shuffle);
  TagSet set;
  for (std::size_t i = 0; i < labelled.size(); ++i) {
    if (labelled[i].second) set.real.push_back(i);
    set.tags.push_back(std::move(labelled[i].first));
  }
  return set;
}

DetectableHashKey RandomKey(std::uint32_t t, std::uint32_t s, RandomSource& random) {
  auto key = DetectableHashKey::Random(t, s, random);
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

Detection Detect(const TagSet& set, std::uint32_t t, std::uint32_t s) {
  auto detection = DetectRealTags(set.tags, t, s);
  EXPECT_TRUE(detection.ok()) << detection.status().ToString();
  return detection.ok() ? std::move(detection).value() : Detection{};
}

TEST(DetectableHashTest, EvaluatesKnownPolynomialsModP) {
  // f_1 = c0 + c1 x + c2 x^2 with values near p; expected value computed with Python integers.
  auto key = DetectableHashKey::FromCoefficients(
      4, 2, {0xfedcba9876543210, 0x123456789abcdef0, 0xdeadbeefcafebabe, kPMinus1, kPMinus1, 0});
  ASSERT_TRUE(key.ok());
  const Tag tag = key->Evaluate(0xffffffffffffffb0);  // p - 21
  EXPECT_EQ(tag.x, 0xffffffffffffffb0u);
  ASSERT_EQ(tag.values.size(), 2u);
  EXPECT_EQ(tag.values[0], 1864364662861459955u);
  // (p-1) + (p-1) * x = -1 - x = -1 + 21 mod p.
  EXPECT_EQ(tag.values[1], 20u);
  EXPECT_EQ(key->Evaluate(kPMinus1).values[1], 0u);  // -1 + -1 * -1
}

TEST(DetectableHashTest, AllRealTagsAreAllDetected) {
  auto random = MakeSeededRandomForTesting(21);
  const auto key = RandomKey(30, 10, *random);
  for (std::size_t real : {30u, 31u, 60u}) {
    const TagSet set = MakeTags(key, real, 0, *random, 1);
    const Detection detection = Detect(set, 30, 10);
    EXPECT_EQ(detection.outcome, Detection::Outcome::kDetected);
    EXPECT_EQ(detection.real, set.real);
  }
}

TEST(DetectableHashTest, AllSyntheticTagsRevealNothing) {
  auto random = MakeSeededRandomForTesting(22);
  const auto key = RandomKey(30, 10, *random);
  for (std::size_t synthetic : {1u, 10u, 38u}) {  // up to t-1+s: still independent
    const Detection detection = Detect(MakeTags(key, 0, synthetic, *random, 2), 30, 10);
    EXPECT_EQ(detection.outcome, Detection::Outcome::kBelowThreshold);
    EXPECT_TRUE(detection.real.empty());
  }
}

TEST(DetectableHashTest, MixedTagsSeparateExactlyUpToSSynthetics) {
  auto random = MakeSeededRandomForTesting(23);
  constexpr std::uint32_t t = 30, s = 10;
  const auto key = RandomKey(t, s, *random);
  for (std::size_t real : {30u, 45u}) {
    for (std::size_t synthetic = 0; synthetic <= s; ++synthetic) {
      const TagSet set = MakeTags(key, real, synthetic, *random,
                                  static_cast<std::uint32_t>(synthetic));
      const Detection detection = Detect(set, t, s);
      EXPECT_EQ(detection.outcome, Detection::Outcome::kDetected)
          << real << " real, " << synthetic << " synthetic";
      EXPECT_EQ(detection.real, set.real) << real << " real, " << synthetic << " synthetic";
    }
  }
}

TEST(DetectableHashTest, OneRealTagShortOfTheThresholdRevealsNothing) {
  auto random = MakeSeededRandomForTesting(24);
  for (std::uint32_t t : {2u, 3u, 30u}) {
    constexpr std::uint32_t s = 6;
    const auto key = RandomKey(t, s, *random);
    for (std::size_t synthetic : {0u, 3u, 6u}) {
      const Detection below = Detect(MakeTags(key, t - 1, synthetic, *random, t), t, s);
      EXPECT_EQ(below.outcome, Detection::Outcome::kBelowThreshold) << "t=" << t;
      EXPECT_TRUE(below.real.empty());
      const TagSet at = MakeTags(key, t, synthetic, *random, t);
      const Detection detected = Detect(at, t, s);
      EXPECT_EQ(detected.outcome, Detection::Outcome::kDetected) << "t=" << t;
      EXPECT_EQ(detected.real, at.real) << "t=" << t;
    }
  }
}

TEST(DetectableHashTest, MoreThanSSyntheticsAreFlagged) {
  auto random = MakeSeededRandomForTesting(25);
  constexpr std::uint32_t t = 30, s = 10;
  const auto key = RandomKey(t, s, *random);
  for (std::size_t real : {t - 1, t, t + 20}) {
    for (std::size_t synthetic : {s + 1, s + 5, 2 * s + t}) {
      const Detection detection = Detect(MakeTags(key, real, synthetic, *random, 5), t, s);
      EXPECT_EQ(detection.outcome, Detection::Outcome::kTooManySynthetics)
          << real << " real, " << synthetic << " synthetic";
      EXPECT_TRUE(detection.real.empty());
    }
  }
}

TEST(DetectableHashTest, WorksWithoutSyntheticValues) {
  // s = 0: the columns are just powers of x, so any t are dependent.
  auto random = MakeSeededRandomForTesting(26);
  const auto key = RandomKey(3, 0, *random);
  EXPECT_EQ(Detect(MakeTags(key, 2, 0, *random, 1), 3, 0).outcome,
            Detection::Outcome::kBelowThreshold);
  const TagSet set = MakeTags(key, 3, 0, *random, 1);
  EXPECT_EQ(Detect(set, 3, 0).real, set.real);
}

TEST(DetectableHashTest, RejectsMalformedInput) {
  auto random = MakeSeededRandomForTesting(27);
  const auto key = RandomKey(3, 2, *random);
  TagSet set = MakeTags(key, 4, 0, *random, 1);
  set.tags[3].x = set.tags[1].x;
  EXPECT_EQ(DetectRealTags(set.tags, 3, 2).status().code(), StatusCode::kInvalidInput);
  set = MakeTags(key, 4, 0, *random, 1);
  set.tags[0].values.pop_back();
  EXPECT_EQ(DetectRealTags(set.tags, 3, 2).status().code(), StatusCode::kInvalidInput);
  set = MakeTags(key, 4, 0, *random, 1);
  set.tags[2].values[0] = kFieldPrime;
  EXPECT_EQ(DetectRealTags(set.tags, 3, 2).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(DetectRealTags({}, 1, 2).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(DetectRealTags({}, 3, kMaxSyntheticTags + 1).status().code(),
            StatusCode::kInvalidInput);
  EXPECT_FALSE(DetectableHashKey::Random(1, 2, *random).ok());
  EXPECT_FALSE(DetectableHashKey::FromCoefficients(3, 2, {1, 2, 3}).ok());
  EXPECT_FALSE(DetectableHashKey::FromCoefficients(2, 1, {kFieldPrime}).ok());
}

TEST(DetectableHashTest, TagEncodingRoundTripsAndRejectsBadBytes) {
  auto random = MakeSeededRandomForTesting(28);
  const auto key = RandomKey(5, 3, *random);
  const Tag tag = key.Evaluate(kPMinus1);
  const auto bytes = EncodeTag(tag);
  ASSERT_EQ(bytes.size(), EncodedTagSize(3));
  auto decoded = DecodeTag(bytes, 3);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, tag);
  EXPECT_EQ(DecodeTag(std::span(bytes).first(bytes.size() - 1), 3).status().code(),
            StatusCode::kCorrupt);
  EXPECT_EQ(DecodeTag(bytes, 2).status().code(), StatusCode::kCorrupt);
  auto out_of_field = bytes;
  std::fill(out_of_field.begin() + 8, out_of_field.begin() + 16, 0xff);  // y_1 = 2^64 - 1
  EXPECT_EQ(DecodeTag(out_of_field, 3).status().code(), StatusCode::kCorrupt);
}

TEST(DetectableHashTest, BelowThresholdRealValuesLookUniform) {
  // t = 3: over random keys, the values of t-1 = 2 real tags at fixed x are jointly uniform.
  // Chi-square over the 16 x 16 grid of their top 4 bits (255 degrees of freedom): the critical
  // value at p = 10^-4 is about 350; a key whose values at the two points were related (the
  // constant term alone, say) would pile up on the diagonal.
  auto random = MakeSeededRandomForTesting(29);
  constexpr int kSamples = 25'600;
  std::vector<int> counts(256, 0);
  for (int i = 0; i < kSamples; ++i) {
    const auto key = RandomKey(3, 1, *random);
    const FieldElement a = key.Evaluate(1).values[0];
    const FieldElement b = key.Evaluate(2).values[0];
    ++counts[(a >> 60) * 16 + (b >> 60)];
  }
  const double expected = kSamples / 256.0;
  double chi_square = 0;
  for (int c : counts) chi_square += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi_square, 350.0);
}

}  // namespace
}  // namespace hashveil::psi
