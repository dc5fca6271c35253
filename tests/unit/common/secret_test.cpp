#include "hashveil/common/secret.h"

#include <gtest/gtest.h>

namespace hashveil {
namespace {

TEST(SecretBytesTest, MoveLeavesSourceEmpty) {
  SecretBytes a(std::vector<std::uint8_t>{1, 2, 3});
  SecretBytes b = std::move(a);
  EXPECT_EQ(b.size(), 3u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the contract under test
  SecretBytes c = b.Clone();
  EXPECT_TRUE(ConstantTimeEqual(b.span(), c.span()));
}

TEST(SecretArrayTest, MoveWipesSource) {
  SecretArray<4> a;
  a.data()[0] = 9;
  SecretArray<4> b = std::move(a);
  EXPECT_EQ(b.data()[0], 9);
  EXPECT_EQ(a.data()[0], 0);  // NOLINT(bugprone-use-after-move)
}

TEST(SecureWipeTest, ZeroesMemory) {
  std::array<std::uint8_t, 8> buf;
  buf.fill(0xaa);
  SecureWipe(buf.data(), buf.size());
  for (auto b : buf) EXPECT_EQ(b, 0);
}

TEST(ConstantTimeEqualTest, ComparesContentAndLength) {
  const std::vector<std::uint8_t> a = {1, 2, 3}, b = {1, 2, 3}, c = {1, 2, 4}, d = {1, 2};
  EXPECT_TRUE(ConstantTimeEqual(a, b));
  EXPECT_FALSE(ConstantTimeEqual(a, c));
  EXPECT_FALSE(ConstantTimeEqual(a, d));
}

}  // namespace
}  // namespace hashveil
