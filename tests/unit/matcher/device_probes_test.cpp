#include "hashveil/matcher/device_probes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

namespace hashveil::matcher {
namespace {

KeyScheme Scheme(std::uint32_t revision, std::uint32_t probes = 16, std::uint32_t tables = 1) {
  return {.tables = tables, .bits_per_key = 64, .probes = probes, .revision = revision};
}

PdqHash RandomHash(std::mt19937_64& random) {
  PdqHash hash;
  for (auto& word : hash.words) word = static_cast<std::uint16_t>(random());
  return hash;
}

BitMargins RandomMargins(std::mt19937_64& random) {
  std::uniform_real_distribution<float> margin(0.0f, 100.0f);
  BitMargins margins;
  for (float& m : margins) m = margin(random);
  return margins;
}

PdqResult ImageWithVariants(std::uint64_t seed) {
  std::mt19937_64 random(seed);
  PdqResult image{.hash = RandomHash(random), .margins = RandomMargins(random)};
  image.variants.emplace();
  for (VariantHash& variant : *image.variants) {
    variant = {RandomHash(random), RandomMargins(random)};
  }
  return image;
}

TEST(DeviceProbesTest, RevisionOneIsProbeKeysAndNeedsNoVariants) {
  PdqResult image = ImageWithVariants(1);
  const auto with = DeviceProbeKeys(image, Scheme(1));
  image.variants.reset();
  const auto without = DeviceProbeKeys(image, Scheme(1));
  ASSERT_TRUE(with.ok() && without.ok());
  EXPECT_EQ(*with, ProbeKeys(image.hash, image.margins, Scheme(1)));
  EXPECT_EQ(*without, *with);
}

TEST(DeviceProbesTest, RevisionTwoRefusesAnImageHashedWithoutVariants) {
  PdqResult image = ImageWithVariants(2);
  image.variants.reset();
  const auto probes = DeviceProbeKeys(image, Scheme(2));
  ASSERT_FALSE(probes.ok());
  EXPECT_EQ(probes.status().code(), StatusCode::kInvalidInput);
}

TEST(DeviceProbesTest, RevisionTwoGivesExactlyPDistinctKeysStartingWithTheOwnBaseKey) {
  for (std::uint32_t probes : {1u, 8u, 16u, 32u, 48u, 100u}) {
    for (std::uint32_t tables : {1u, 2u}) {
      if (probes < tables) continue;
      const KeyScheme scheme = Scheme(2, probes, tables);
      const PdqResult image = ImageWithVariants(probes * 10 + tables);
      const auto keys = DeviceProbeKeys(image, scheme);
      ASSERT_TRUE(keys.ok());
      EXPECT_EQ(keys->size(), probes);
      EXPECT_EQ(std::set<MatchKey>(keys->begin(), keys->end()).size(), probes);
      EXPECT_EQ(keys->front(), BaseKeys(image.hash, scheme).front());
    }
  }
}

TEST(DeviceProbesTest, EachVariantGetsItsQuotaOfEveryTable) {
  const KeyScheme scheme = Scheme(2, 96, 2);  // 48 per table: 3 per variant
  ASSERT_EQ(VariantQuota(48), 3u);
  const PdqResult image = ImageWithVariants(3);
  const auto keys = DeviceProbeKeys(image, scheme);
  ASSERT_TRUE(keys.ok());
  for (std::uint32_t table = 0; table < 2; ++table) {
    for (const VariantHash& variant : *image.variants) {
      for (const MatchKey& key : TableProbes(variant.hash, variant.margins, scheme, table, 3)) {
        EXPECT_NE(std::find(keys->begin(), keys->end(), key), keys->end());
      }
    }
  }
  EXPECT_EQ(VariantQuota(15), 0u);
  EXPECT_EQ(VariantQuota(16), 1u);
}

TEST(DeviceProbesTest, VariantsThatHashAsTheImageLeaveRevisionOnesKeys) {
  PdqResult image = ImageWithVariants(4);
  for (VariantHash& variant : *image.variants) variant = {image.hash, image.margins};
  const auto keys = DeviceProbeKeys(image, Scheme(2, 48));
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, ProbeKeys(image.hash, image.margins, Scheme(1, 48)));
}

// The argument for revision 2, on images whose bits a gamma edit moves: a gamma-edited copy
// reaches its original's key more often with variant probes than with the same budget of flips.
TEST(DeviceProbesTest, GammaEditedCopiesReachTheirOriginalMoreOftenUnderRevisionTwo) {
  int reached[3] = {0, 0, 0};  // by revision
  constexpr int kImages = 60;
  for (int seed = 0; seed < kImages; ++seed) {
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> unit(0, 1);
    constexpr int kSide = 96;
    std::vector<std::uint8_t> original(kSide * kSide), copy(kSide * kSide);
    double fx[6], fy[6], phase[6], weight[6];
    for (int c = 0; c < 6; ++c) {
      fx[c] = 0.02 + 0.2 * unit(random);
      fy[c] = 0.02 + 0.2 * unit(random);
      phase[c] = 6.3 * unit(random);
      weight[c] = unit(random);
    }
    for (int y = 0; y < kSide; ++y) {
      for (int x = 0; x < kSide; ++x) {
        double v = 0;
        for (int c = 0; c < 6; ++c) v += weight[c] * std::cos(fx[c] * x + fy[c] * y + phase[c]);
        const double level = std::clamp(0.5 + v / 6, 0.0, 1.0);
        original[y * kSide + x] = static_cast<std::uint8_t>(std::lround(255 * level * level));
        copy[y * kSide + x] =
            static_cast<std::uint8_t>(std::lround(255 * std::pow(level * level, 0.65)));
      }
    }
    const ImageView view_original{original.data(), kSide, kSide, kSide, PixelFormat::kGray8};
    const ImageView view_copy{copy.data(), kSide, kSide, kSide, PixelFormat::kGray8};
    const auto hashed_original = HashPixels(view_original);
    const auto hashed_copy = HashPixels(view_copy, {.variants = true});
    ASSERT_TRUE(hashed_original.ok() && hashed_copy.ok());
    for (std::uint32_t revision : {1u, 2u}) {
      const KeyScheme scheme = Scheme(revision, 16);
      const MatchKey db_key = BaseKeys(hashed_original->hash, scheme).front();
      const auto probes = DeviceProbeKeys(*hashed_copy, scheme);
      ASSERT_TRUE(probes.ok());
      if (std::find(probes->begin(), probes->end(), db_key) != probes->end()) ++reached[revision];
    }
  }
  EXPECT_GT(reached[2], reached[1])
      << "revision 1: " << reached[1] << " revision 2: " << reached[2];
  EXPECT_LT(reached[1], kImages);  // the edit does move key bits, or this test shows nothing
}

}  // namespace
}  // namespace hashveil::matcher
