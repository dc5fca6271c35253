#include "hashveil/common/seeded_random.h"
#include "hashveil/psi/image_choices.h"

#include <gtest/gtest.h>

#include <set>

namespace hashveil::psi {
namespace {

matcher::MatchKey KeyNumber(std::uint32_t n) {
  matcher::MatchKey key{};
  for (int i = 0; i < 4; ++i) key[1 + i] = static_cast<std::uint8_t>(n >> (8 * i));
  return key;
}

PrfKey RandomPrfKey(RandomSource& random) {
  PrfKey key;
  random.Fill(key.span());
  return key;
}

TEST(ImageChoicesTest, SameKeySameChoicesAndEveryValueInRange) {
  auto random = MakeSeededRandomForTesting(31);
  const PrfKey fkey = RandomPrfKey(*random);
  const ImageChoices a = DeriveImageChoices(fkey, KeyNumber(1), 10);
  const ImageChoices b = DeriveImageChoices(fkey, KeyNumber(1), 10);
  EXPECT_TRUE(a.synthetic_share_x.Equals(b.synthetic_share_x));
  EXPECT_TRUE(a.dummy_share_y.Equals(b.dummy_share_y));
  EXPECT_EQ(a.synthetic_tag_x, b.synthetic_tag_x);
  EXPECT_EQ(a.synthetic_tag_values, b.synthetic_tag_values);
  EXPECT_EQ(a.synthetic_draw_ppm, b.synthetic_draw_ppm);
  EXPECT_EQ(a.base_key_tag, b.base_key_tag);

  EXPECT_FALSE(a.synthetic_share_x.IsZero());
  EXPECT_LT(a.synthetic_tag_x, kFieldPrime);
  ASSERT_EQ(a.synthetic_tag_values.size(), 10u);
  for (FieldElement y : a.synthetic_tag_values) EXPECT_LT(y, kFieldPrime);
  EXPECT_EQ(std::set<FieldElement>(a.synthetic_tag_values.begin(), a.synthetic_tag_values.end())
                .size(),
            10u);
  EXPECT_LT(a.synthetic_draw_ppm, kPartsPerMillion);
  EXPECT_TRUE(DeriveImageChoices(fkey, KeyNumber(1), 0).synthetic_tag_values.empty());
}

TEST(ImageChoicesTest, DependOnTheKeyAndTheAccount) {
  auto random = MakeSeededRandomForTesting(32);
  const PrfKey fkey = RandomPrfKey(*random);
  const PrfKey other_account = RandomPrfKey(*random);
  const ImageChoices a = DeriveImageChoices(fkey, KeyNumber(1), 2);
  for (const ImageChoices& b : {DeriveImageChoices(fkey, KeyNumber(2), 2),
                                DeriveImageChoices(other_account, KeyNumber(1), 2)}) {
    EXPECT_FALSE(a.synthetic_share_x.Equals(b.synthetic_share_x));
    EXPECT_FALSE(a.dummy_share_y.Equals(b.dummy_share_y));
    EXPECT_NE(a.synthetic_tag_x, b.synthetic_tag_x);
    EXPECT_NE(a.synthetic_tag_values, b.synthetic_tag_values);
    EXPECT_NE(a.base_key_tag, b.base_key_tag);
  }
  // The values of one image are separated from each other by their domains.
  EXPECT_FALSE(a.synthetic_share_x.Equals(a.dummy_share_y));
}

TEST(ImageChoicesTest, SyntheticDrawIsUniform) {
  auto random = MakeSeededRandomForTesting(33);
  const PrfKey fkey = RandomPrfKey(*random);
  constexpr int kImages = 20'000;
  int below_ten_percent = 0;
  std::set<FieldElement> tag_xs;
  for (int i = 0; i < kImages; ++i) {
    const ImageChoices choices = DeriveImageChoices(fkey, KeyNumber(i), 1);
    below_ten_percent += choices.synthetic_draw_ppm < 100'000;
    tag_xs.insert(choices.synthetic_tag_x);
  }
  // Binomial(20000, 0.1): mean 2000, sd 42; 5 sd either side.
  EXPECT_NEAR(below_ten_percent, 2000, 210);
  EXPECT_EQ(tag_xs.size(), static_cast<std::size_t>(kImages));  // detection needs distinct x'
}

TEST(ImageChoicesTest, AKeysIdentityDependsOnTheKeyAndTheAccountOnly) {
  auto random = MakeSeededRandomForTesting(34);
  const PrfKey fkey = RandomPrfKey(*random);
  const PrfKey other_account = RandomPrfKey(*random);
  const KeyIdentity a = DeriveKeyIdentity(fkey, KeyNumber(1));
  const KeyIdentity again = DeriveKeyIdentity(fkey, KeyNumber(1));
  EXPECT_TRUE(a.share_x.Equals(again.share_x));
  EXPECT_EQ(a.tag_x, again.tag_x);
  EXPECT_FALSE(a.share_x.IsZero());
  EXPECT_LT(a.tag_x, kFieldPrime);
  for (const KeyIdentity& b :
       {DeriveKeyIdentity(fkey, KeyNumber(2)), DeriveKeyIdentity(other_account, KeyNumber(1))}) {
    EXPECT_FALSE(a.share_x.Equals(b.share_x));
    EXPECT_NE(a.tag_x, b.tag_x);
  }
}

// A synthetic voucher of an image whose base key is a DB key must never carry that key's share
// x: the same x with y = z and with y = f(x) (another copy's real entry for the key) would tell
// the server that one of them is real. The two identities come from separate PRF domains.
TEST(ImageChoicesTest, ASyntheticIdentityNeverEqualsTheSameKeysRealOne) {
  auto random = MakeSeededRandomForTesting(35);
  const PrfKey fkey = RandomPrfKey(*random);
  for (std::uint32_t n = 0; n < 100; ++n) {
    const ImageChoices image = DeriveImageChoices(fkey, KeyNumber(n), 4);
    const KeyIdentity key = DeriveKeyIdentity(fkey, KeyNumber(n));
    EXPECT_FALSE(image.synthetic_share_x.Equals(key.share_x));
    EXPECT_NE(image.synthetic_tag_x, key.tag_x);
  }
}

}  // namespace
}  // namespace hashveil::psi
