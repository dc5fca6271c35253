#include "photometric_variants.h"

#include <gtest/gtest.h>

#include <cmath>

#include "pdq_core.h"

namespace hashveil::matcher {
namespace {

Grid64 Ramp() {
  Grid64 grid;
  for (std::size_t n = 0; n < grid.size(); ++n) grid[n] = static_cast<float>(n % 256);
  return grid;
}

TEST(PhotometricVariantsTest, EachVariantIsItsGammaCurveClampedToTheLumaRange) {
  Grid64 grid = Ramp();
  grid[0] = -3.0f;   // a filter's overshoot below black
  grid[1] = 260.0f;  // and above white
  for (int v = 0; v < kPhotometricVariantCount; ++v) {
    const auto variant = static_cast<PhotometricVariant>(v);
    const double gamma = VariantGamma(variant);
    const Grid64 edited = ApplyPhotometricVariant(grid, variant);
    EXPECT_EQ(edited[0], 0.0f);
    EXPECT_FLOAT_EQ(edited[1], 255.0f);
    EXPECT_NEAR(edited[128], 255.0 * std::pow(128 / 255.0, gamma), 1e-3);
  }
  EXPECT_LT(VariantGamma(PhotometricVariant::kGamma0_6), 1.0);
  EXPECT_GT(VariantGamma(PhotometricVariant::kGamma1_67), 1.0);
}

TEST(PhotometricVariantsTest, PdqFromGridHashesEachVariantOnlyWhenAsked) {
  Grid64 grid;
  for (std::size_t n = 0; n < grid.size(); ++n) {
    grid[n] = static_cast<float>(128 + 100 * std::sin(0.05 * n) * std::cos(0.003 * n));
  }
  EXPECT_FALSE(PdqFromGrid(grid, {}).variants.has_value());
  const PdqResult result = PdqFromGrid(grid, {.variants = true});
  ASSERT_TRUE(result.variants.has_value());
  for (int v = 0; v < kPhotometricVariantCount; ++v) {
    const Dct16 dct = Dct64To16(ApplyPhotometricVariant(grid, static_cast<PhotometricVariant>(v)));
    EXPECT_EQ((*result.variants)[v].hash, BitsFromDct(dct));
    EXPECT_EQ((*result.variants)[v].margins, MarginsFromDct(dct));
  }
  // The plain hash is untouched by asking for variants.
  EXPECT_EQ(result.hash, PdqFromGrid(grid, {}).hash);
}

}  // namespace
}  // namespace hashveil::matcher
