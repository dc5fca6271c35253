// The group on libdecaf (Element, and the Point functions on it) against libsodium's ristretto255
// as the reference: the same bytes from every operation, the same encodings refused.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hashveil/common/seeded_random.h"
#include "hashveil/psi/group.h"

namespace hashveil::psi {
namespace {

constexpr int kRounds = 200;

class GroupAgreementTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }

  std::vector<std::uint8_t> RandomBytes(std::size_t size) {
    std::vector<std::uint8_t> bytes(size);
    random_->Fill(bytes);
    return bytes;
  }

  // libsodium's r*G for a random r, or its from_hash of 64 random bytes, by turns.
  Point RandomPoint() {
    Point point;
    if (++drawn_ % 2 == 0) {
      EXPECT_EQ(crypto_scalarmult_ristretto255_base(point.bytes.data(),
                                                    Scalar::Random(*random_).bytes().data()),
                0);
    } else {
      crypto_core_ristretto255_from_hash(point.bytes.data(), RandomBytes(64).data());
    }
    return point;
  }

  std::unique_ptr<RandomSource> random_ = MakeSeededRandomForTesting(11);
  int drawn_ = 0;
};

// libsodium's H(domain, m): from_hash(BLAKE2b-512(len(domain) || domain || m)).
Point SodiumHashToGroup(const std::string& domain, std::span<const std::uint8_t> message) {
  std::vector<std::uint8_t> input{static_cast<std::uint8_t>(domain.size())};
  input.insert(input.end(), domain.begin(), domain.end());
  input.insert(input.end(), message.begin(), message.end());
  std::array<std::uint8_t, crypto_core_ristretto255_HASHBYTES> digest{};
  crypto_generichash(digest.data(), digest.size(), input.data(), input.size(), nullptr, 0);
  Point point;
  crypto_core_ristretto255_from_hash(point.bytes.data(), digest.data());
  return point;
}

TEST_F(GroupAgreementTest, FromHashAgrees) {
  for (int i = 0; i < kRounds; ++i) {
    const auto message = RandomBytes(1 + i % 70);
    const Point expected = SodiumHashToGroup("hashveil/test", message);
    EXPECT_EQ(HashToGroup("hashveil/test", message), expected);
    EXPECT_EQ(Element::FromHash("hashveil/test", message).Encode(), expected);
  }
}

TEST_F(GroupAgreementTest, BaseMultiplicationAgrees) {
  Point one;
  ASSERT_EQ(crypto_scalarmult_ristretto255_base(one.bytes.data(),
                                                Scalar::FromUint64(1).bytes().data()),
            0);
  EXPECT_EQ(Element::Generator().Encode(), one);
  for (int i = 0; i < kRounds; ++i) {
    const Scalar s = Scalar::Random(*random_);
    Point expected;
    ASSERT_EQ(crypto_scalarmult_ristretto255_base(expected.bytes.data(), s.bytes().data()), 0);
    EXPECT_EQ(MulBase(s), expected);
    EXPECT_EQ(Element::MulBase(s).Encode(), expected);
    EXPECT_EQ(Element::Generator().Mul(s).Encode(), expected);
  }
  EXPECT_EQ(MulBase(Scalar()), Point{});  // the identity, as libsodium leaves it
}

TEST_F(GroupAgreementTest, VariableBaseMultiplicationAgrees) {
  for (int i = 0; i < kRounds; ++i) {
    const Point point = RandomPoint();
    const Scalar s = i < 2 ? Scalar::FromUint64(i + 1) : Scalar::Random(*random_);
    Point expected;
    ASSERT_EQ(crypto_scalarmult_ristretto255(expected.bytes.data(), s.bytes().data(),
                                             point.bytes.data()),
              0);
    EXPECT_EQ(*Mul(s, point), expected);
    EXPECT_EQ(Element::Decode(point)->Mul(s).Encode(), expected);
    EXPECT_EQ(PrecomputedElement(*Element::Decode(point)).Mul(s).Encode(), expected);
  }
}

TEST_F(GroupAgreementTest, MultiplicationToTheIdentityFailsAlike) {
  const Point point = RandomPoint();
  Point out;
  EXPECT_NE(crypto_scalarmult_ristretto255(out.bytes.data(), Scalar().bytes().data(),
                                           point.bytes.data()),
            0);
  EXPECT_FALSE(Mul(Scalar(), point).ok());
  EXPECT_TRUE(Element::Decode(point)->Mul(Scalar()).IsIdentity());
}

TEST_F(GroupAgreementTest, AdditionAndSubtractionAgree) {
  for (int i = 0; i < kRounds; ++i) {
    const Point a = RandomPoint();
    const Point b = i % 10 == 0 ? a : RandomPoint();  // a - a is the identity
    Point sum, difference;
    ASSERT_EQ(crypto_core_ristretto255_add(sum.bytes.data(), a.bytes.data(), b.bytes.data()), 0);
    ASSERT_EQ(
        crypto_core_ristretto255_sub(difference.bytes.data(), a.bytes.data(), b.bytes.data()), 0);
    EXPECT_EQ(*Add(a, b), sum);
    EXPECT_EQ(*Sub(a, b), difference);
    const Element x = *Element::Decode(a), y = *Element::Decode(b);
    EXPECT_EQ((x + y).Encode(), sum);
    EXPECT_EQ((x - y).Encode(), difference);
  }
}

TEST_F(GroupAgreementTest, TheIdentityIsAnOperandOfAddAndSubAsInLibsodium) {
  const Point identity, a = RandomPoint();
  Point sum, difference;
  ASSERT_EQ(crypto_core_ristretto255_add(sum.bytes.data(), identity.bytes.data(), a.bytes.data()),
            0);
  ASSERT_EQ(crypto_core_ristretto255_sub(difference.bytes.data(), a.bytes.data(),
                                         identity.bytes.data()),
            0);
  EXPECT_EQ(*Add(identity, a), sum);
  EXPECT_EQ(*Sub(a, identity), difference);
  EXPECT_EQ(*Sub(a, a), identity);
}

TEST_F(GroupAgreementTest, EncodeDecodeRoundTrips) {
  for (int i = 0; i < kRounds; ++i) {
    const Point point = RandomPoint();
    const auto element = Element::Decode(point);
    ASSERT_TRUE(element.ok());
    EXPECT_EQ(element->Encode(), point);
    // Equality is the group's, whatever the coordinates: (p + q) - q has others than p.
    const Element q = Element::FromHash("q", RandomBytes(8));
    EXPECT_EQ(*element + q - q, *element);
    EXPECT_FALSE(*element + q == *element);
  }
  EXPECT_TRUE(Element().IsIdentity());
  EXPECT_EQ(Element::Identity().Encode(), Point{});
  EXPECT_EQ(Element::Generator() - Element::Generator(), Element::Identity());
}

TEST_F(GroupAgreementTest, RandomStringsAreRefusedAlike) {
  int valid = 0;
  constexpr int kStrings = 4000;
  for (int i = 0; i < kStrings; ++i) {
    Point point;
    random_->Fill(point.bytes);
    point.bytes[31] &= 0x7f;  // strings with the top bit set: TopBitSetIsRefused
    const bool sodium_valid = crypto_core_ristretto255_is_valid_point(point.bytes.data()) == 1;
    valid += sodium_valid;
    EXPECT_EQ(IsValidPoint(point), sodium_valid);
    EXPECT_EQ(Element::Decode(point).ok(), sodium_valid);
    Point out;
    const Point g = MulBase(Scalar::FromUint64(1));
    EXPECT_EQ(Add(point, g).ok(),
              crypto_core_ristretto255_add(out.bytes.data(), point.bytes.data(), g.bytes.data()) ==
                  0);
    EXPECT_EQ(Mul(Scalar::FromUint64(3), point).ok(), sodium_valid);
  }
  // About 1 in 8 strings below 2^255 is valid.
  EXPECT_GT(valid, kStrings / 8 - 150);
  EXPECT_LT(valid, kStrings / 8 + 150);
}

// libsodium 1.0.18 (Debian 12) ignores the top bit of an encoding and accepts these; RFC 9496
// (4.3.1), later libsodium releases and the protocol (points are canonical) refuse them.
TEST_F(GroupAgreementTest, TopBitSetIsRefused) {
  for (int i = 0; i < kRounds; ++i) {
    Point point = RandomPoint();
    point.bytes[31] |= 0x80;
    EXPECT_FALSE(IsValidPoint(point));
    EXPECT_FALSE(Element::Decode(point).ok());
    EXPECT_FALSE(Mul(Scalar::FromUint64(3), point).ok());
    EXPECT_FALSE(Add(point, point).ok());
    EXPECT_FALSE(Sub(MulBase(Scalar::FromUint64(1)), point).ok());
  }
}

// s in [p, 2^255) and negative s (p - s for a valid s, odd) are non-canonical: both refuse them.
TEST_F(GroupAgreementTest, NonCanonicalFieldElementsAreRefusedAlike) {
  std::vector<Point> non_canonical;
  for (int k = 0; k < 19; ++k) {  // p + k, p = 2^255 - 19
    Point point;
    point.bytes.fill(0xff);
    point.bytes[0] = static_cast<std::uint8_t>(0xed + k);
    point.bytes[31] = 0x7f;
    non_canonical.push_back(point);
  }
  for (int i = 0; i < kRounds; ++i) {
    const Point valid = RandomPoint();
    Point negated;  // p - s, little-endian
    int borrow = 0;
    for (std::size_t j = 0; j < kPointBytes; ++j) {
      const int p_byte = j == 0 ? 0xed : j == kPointBytes - 1 ? 0x7f : 0xff;
      const int d = p_byte - valid.bytes[j] - borrow;
      negated.bytes[j] = static_cast<std::uint8_t>(d & 0xff);
      borrow = d < 0;
    }
    non_canonical.push_back(negated);
  }
  for (const Point& point : non_canonical) {
    EXPECT_EQ(crypto_core_ristretto255_is_valid_point(point.bytes.data()), 0);
    EXPECT_FALSE(IsValidPoint(point));
    EXPECT_FALSE(Element::Decode(point).ok());
    EXPECT_FALSE(Add(point, point).ok());
  }
}

TEST_F(GroupAgreementTest, TheIdentityIsNotAValidPoint) {
  const Point identity;
  // libsodium accepts it; the protocol's check (IsValidPoint, Decode) does not.
  EXPECT_EQ(crypto_core_ristretto255_is_valid_point(identity.bytes.data()), 1);
  EXPECT_FALSE(IsValidPoint(identity));
  EXPECT_FALSE(Element::Decode(identity).ok());
  EXPECT_FALSE(Mul(Scalar::FromUint64(3), identity).ok());
}

TEST_F(GroupAgreementTest, DoubleMulIsTheSumOfTwoProducts) {
  for (int i = 0; i < kRounds; ++i) {
    const Point p = RandomPoint(), q = RandomPoint();
    const Scalar a = Scalar::Random(*random_), b = Scalar::Random(*random_);
    Point ap, bq, expected;
    ASSERT_EQ(crypto_scalarmult_ristretto255(ap.bytes.data(), a.bytes().data(), p.bytes.data()),
              0);
    ASSERT_EQ(crypto_scalarmult_ristretto255(bq.bytes.data(), b.bytes().data(), q.bytes.data()),
              0);
    ASSERT_EQ(crypto_core_ristretto255_add(expected.bytes.data(), ap.bytes.data(), bq.bytes.data()),
              0);
    EXPECT_EQ(Element::DoubleMul(a, *Element::Decode(p), b, *Element::Decode(q)).Encode(),
              expected);
  }
}

TEST_F(GroupAgreementTest, PrecomputedElementIsMovableAndSharedAcrossScalars) {
  const Element point = *Element::Decode(RandomPoint());
  PrecomputedElement table(point);
  PrecomputedElement moved = std::move(table);
  for (int i = 0; i < kRounds; ++i) {
    const Scalar s = Scalar::Random(*random_);
    EXPECT_EQ(moved.Mul(s), point.Mul(s));
  }
}

}  // namespace
}  // namespace hashveil::psi
