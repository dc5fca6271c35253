#include "hashveil/common/seeded_random.h"
#include "hashveil/psi/group.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace hashveil::psi {
namespace {

std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(GroupTest, HashToGroupIsDeterministicDomainSeparatedAndValid) {
  const std::string msg = "key";
  Point a = HashToGroup("hashveil/key", Bytes(msg));
  EXPECT_EQ(a, HashToGroup("hashveil/key", Bytes(msg)));
  EXPECT_NE(a, HashToGroup("hashveil/filler", Bytes(msg)));
  EXPECT_TRUE(IsValidPoint(a));
}

TEST(GroupTest, ScalarMultiplicationCommutes) {
  auto random = MakeSeededRandomForTesting(7);
  Scalar a = Scalar::Random(*random), b = Scalar::Random(*random);
  Point p = HashToGroup("test", Bytes("p"));
  Point ab = *Mul(a, *Mul(b, p));
  Point ba = *Mul(b, *Mul(a, p));
  EXPECT_EQ(ab, ba);
  EXPECT_EQ(*Mul(a * b, p), ab);
}

TEST(GroupTest, BlindingEquationOfTheOuterLayer) {
  // alpha*(beta*H + gamma*G) == beta*(alpha*H) + gamma*(alpha*G): the voucher's outer layer.
  auto random = MakeSeededRandomForTesting(8);
  Scalar alpha = Scalar::Random(*random), beta = Scalar::Random(*random),
         gamma = Scalar::Random(*random);
  Point h = HashToGroup("test", Bytes("y"));
  Point public_l = MulBase(alpha);
  Point blinded = *Mul(alpha, h);
  Point q = *Add(*Mul(beta, h), MulBase(gamma));
  Point s = *Add(*Mul(beta, blinded), *Mul(gamma, public_l));
  EXPECT_EQ(*Mul(alpha, q), s);
}

TEST(GroupTest, ScalarFieldArithmetic) {
  auto random = MakeSeededRandomForTesting(9);
  Scalar a = Scalar::Random(*random);
  Scalar inv = *a.Invert();
  EXPECT_TRUE((a * inv).Equals(Scalar::FromUint64(1)));
  EXPECT_TRUE((a + a.Negate()).IsZero());
  EXPECT_TRUE((Scalar::FromUint64(5) - Scalar::FromUint64(3)).Equals(Scalar::FromUint64(2)));
  EXPECT_FALSE(Scalar().Invert().ok());
  EXPECT_TRUE(Scalar::FromCanonicalBytes(a.bytes())->Equals(a));
  std::array<std::uint8_t, 32> non_canonical;
  non_canonical.fill(0xff);
  EXPECT_FALSE(Scalar::FromCanonicalBytes(non_canonical).ok());
}

TEST(GroupTest, RejectsInvalidAndIdentityPoints) {
  Point identity;  // all zeros encodes the identity
  EXPECT_FALSE(IsValidPoint(identity));
  Point garbage;
  garbage.bytes.fill(0xff);
  EXPECT_FALSE(IsValidPoint(garbage));
  EXPECT_FALSE(Mul(Scalar::FromUint64(3), garbage).ok());
}

}  // namespace
}  // namespace hashveil::psi
