#include "audit/parameter_set.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hashveil::audit {
namespace {

TEST(ParameterSetTest, ParsesAGridAndSkipsInvalidCombinations) {
  const auto sets = ParseGrid("L=1,2;k=64;P=8,16;d=0,1");
  ASSERT_TRUE(sets.ok()) << sets.status().message();
  // L=2, P=8, d=1 needs P >= 16: skipped. 2*2*2 - 1 = 7.
  EXPECT_EQ(sets->size(), 7u);
  EXPECT_EQ(Name(sets->front()), "L1-k64-P8-d0-r2");  // no r axis: the latest revision
  EXPECT_EQ(std::count_if(sets->begin(), sets->end(),
                          [](const ParameterSet& s) { return Name(s) == "L2-k64-P8-d1-r2"; }),
            0);
}

TEST(ParameterSetTest, TheRevisionAxisComparesKeyRules) {
  const auto sets = ParseGrid("L=1;k=64;P=16,48;d=0;r=1,2");
  ASSERT_TRUE(sets.ok()) << sets.status().message();
  ASSERT_EQ(sets->size(), 4u);
  EXPECT_EQ(Name((*sets)[0]), "L1-k64-P16-d0-r1");
  EXPECT_EQ(Name((*sets)[1]), "L1-k64-P16-d0-r2");
  EXPECT_FALSE(ParseGrid("L=1;k=64;P=16;d=0;r=3").ok());
  EXPECT_FALSE(ParseGrid("L=1;k=64;P=16;d=0;r=0").ok());
}

TEST(ParameterSetTest, DefaultGridParses) {
  const auto sets = ParseGrid(kDefaultGrid);
  ASSERT_TRUE(sets.ok());
  // 2 * 5 * 4 * 2 = 80, less the 5 of L = 2, P = 8 with dihedral probes (which need P >= 16).
  EXPECT_EQ(sets->size(), 75u);
}

TEST(ParameterSetTest, RejectsMalformedGrids) {
  for (const char* spec : {"", "L=1;k=64;P=16", "L=x;k=64;P=16;d=0", "L=1;k=64;P=16;d=2",
                           "L=1;k=64;P=16;d=0;q=1", "L=1,;k=64;P=16;d=0", "L=1;k=63;P=16;d=0",
                           // one value out of range among good ones: refused, not skipped
                           "L=1;k=64,300;P=16;d=0", "L=1,65;k=64;P=16;d=0", "L=1;k=64;P=0,16;d=0",
                           "L=1;k=64;P=16,5000;d=0"}) {
    EXPECT_FALSE(ParseGrid(spec).ok()) << spec;
  }
}

// DB format 3 has no cuckoo functions: a grid naming them is refused, saying why.
TEST(ParameterSetTest, RefusesTheCuckooFunctionsAxis) {
  const auto sets = ParseGrid("L=1;k=64;P=16;d=0;c=3");
  EXPECT_EQ(sets.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(sets.status().message().find("no longer used"), std::string::npos);
}

matcher::PdqResult ImageWithDihedrals(std::uint64_t seed) {
  matcher::PdqResult image;
  std::array<matcher::PdqHash, matcher::kDihedralCount> variants;
  for (int v = 0; v < matcher::kDihedralCount; ++v) {
    for (int w = 0; w < 16; ++w) {
      variants[v].words[w] = static_cast<std::uint16_t>((seed + 1) * 40503u * (v + 3) * (w + 7));
    }
  }
  image.hash = variants[0];
  image.dihedral = variants;
  for (int b = 0; b < matcher::PdqHash::kBits; ++b) image.margins[b] = static_cast<float>(b % 17);
  // Gamma variants unlike the image, so that revision 2 probes differ from revision 1's.
  image.variants.emplace();
  for (int v = 0; v < matcher::kPhotometricVariantCount; ++v) {
    (*image.variants)[v] = {variants[(v + 2) % matcher::kDihedralCount], image.margins};
  }
  return image;
}

TEST(ParameterSetTest, DeviceProbesWithoutDihedralsAreTheMatchersProbes) {
  for (std::uint32_t revision : {1u, 2u}) {
    const MatchingScheme scheme{
        {.tables = 1, .bits_per_key = 64, .probes = 16, .revision = revision}, false};
    const matcher::PdqResult image = ImageWithDihedrals(1);
    EXPECT_EQ(DeviceProbes(image, scheme), *matcher::DeviceProbeKeys(image, scheme.keys));
  }
  const matcher::PdqResult image = ImageWithDihedrals(1);
  EXPECT_NE(DeviceProbes(image, {{.probes = 16, .revision = 1}, false}),
            DeviceProbes(image, {{.probes = 16, .revision = 2}, false}));
}

TEST(ParameterSetTest, DihedralProbesReachARotatedListing) {
  const MatchingScheme plain{{.tables = 1, .bits_per_key = 64, .probes = 16}, false};
  const MatchingScheme dihedral{plain.keys, true};
  const matcher::PdqResult image = ImageWithDihedrals(2);
  // The DB lists the image rotated: its hash is one of the device image's dihedral variants.
  const auto listed = matcher::BaseKeys((*image.dihedral)[1], plain.keys);
  EXPECT_TRUE(AnyProbeMatches(DeviceProbes(image, dihedral), listed));
  EXPECT_FALSE(AnyProbeMatches(DeviceProbes(image, plain), listed));
  EXPECT_LE(DeviceProbes(image, dihedral).size(), 16u);
}

}  // namespace
}  // namespace hashveil::audit
