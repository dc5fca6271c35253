#include "hashveil/common/hex.h"

#include <gtest/gtest.h>

namespace hashveil {
namespace {

TEST(HexTest, RoundTrips) {
  const std::vector<std::uint8_t> bytes = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(ToHex(bytes), "0001abff");
  EXPECT_EQ(*FromHex("0001ABff"), bytes);
  EXPECT_TRUE(FromHex("")->empty());
}

TEST(HexTest, RejectsOddLengthAndNonHexWithoutEchoingInput) {
  EXPECT_FALSE(FromHex("abc").ok());
  Result<std::vector<std::uint8_t>> bad = FromHex("zz11");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("zz"), std::string::npos);
}

}  // namespace
}  // namespace hashveil
