#include "hashveil/matcher/pdq_hash.h"

#include <gtest/gtest.h>

namespace hashveil::matcher {
namespace {

constexpr char kHex[] = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";

TEST(PdqHashTest, HexRoundTripMatchesReferenceWordOrder) {
  Result<PdqHash> hash = PdqHash::FromHex(kHex);
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->ToHex(), kHex);
  // The reference prints word 15 first: the last four digits are word 0.
  EXPECT_EQ(hash->words[0], 0x9b22);
  EXPECT_EQ(hash->words[15], 0xd8f8);
  EXPECT_TRUE(hash->bit(1));   // 0x9b22 = ...0010 0010
  EXPECT_FALSE(hash->bit(0));
}

TEST(PdqHashTest, ParsesUpperCaseAndRejectsBadInput) {
  std::string upper = kHex;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(PdqHash::FromHex(upper)->ToHex(), kHex);
  EXPECT_FALSE(PdqHash::FromHex("abc").ok());
  std::string bad = kHex;
  bad[10] = 'g';
  EXPECT_EQ(PdqHash::FromHex(bad).status().code(), StatusCode::kInvalidInput);
}

TEST(PdqHashTest, BytesRoundTripAndHamming) {
  PdqHash a = *PdqHash::FromHex(kHex);
  EXPECT_EQ(PdqHash::FromBytes(a.ToBytes()), a);
  PdqHash b = a;
  b.set_bit(0, !b.bit(0));
  b.set_bit(255, !b.bit(255));
  EXPECT_EQ(HammingDistance(a, b), 2);
  EXPECT_EQ(HammingDistance(a, a), 0);
  PdqHash zero;
  EXPECT_EQ(HammingDistance(a, zero), a.popcount());
}

}  // namespace
}  // namespace hashveil::matcher
