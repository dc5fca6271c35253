#include "hashveil/common/seeded_random.h"
#include "hashveil/psi/shamir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace hashveil::psi {
namespace {

std::vector<Share> SharesAt(const ShamirPolynomial& f, std::uint64_t first, std::size_t count) {
  std::vector<Share> shares;
  for (std::size_t i = 0; i < count; ++i) shares.push_back(f.ShareAt(Scalar::FromUint64(first + i)));
  return shares;
}

TEST(ShamirTest, EvaluatesAKnownPolynomial) {
  std::vector<Scalar> coefficients;
  for (std::uint64_t c : {1, 2, 3}) coefficients.push_back(Scalar::FromUint64(c));
  auto f = ShamirPolynomial::FromCoefficients(std::move(coefficients));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->threshold(), 3u);
  EXPECT_TRUE(f->Evaluate(Scalar::FromUint64(5)).Equals(Scalar::FromUint64(1 + 2 * 5 + 3 * 25)));
  EXPECT_TRUE(f->secret().Equals(Scalar::FromUint64(1)));
  // Three shares of 1 + 2x + 3x^2 give back 1.
  auto secret = RecoverSecret(SharesAt(*f, 7, 3), 3);
  ASSERT_TRUE(secret.ok());
  EXPECT_TRUE(secret->Equals(Scalar::FromUint64(1)));
}

TEST(ShamirTest, AnyTOfNSharesRecoverTheSecretAndTMinusOneDoNot) {
  auto random = MakeSeededRandomForTesting(11);
  std::mt19937 shuffle(11);
  for (std::uint32_t t : {1u, 2u, 3u, 30u}) {
    auto f = ShamirPolynomial::Random(t, *random);
    ASSERT_TRUE(f.ok());
    std::vector<Share> shares;
    for (std::uint32_t i = 0; i < 2 * t + 5; ++i) shares.push_back(f->ShareAt(Scalar::Random(*random)));
    for (int trial = 0; trial < 20; ++trial) {
      std::shuffle(shares.begin(), shares.end(), shuffle);
      auto secret = RecoverSecret(shares, t);
      ASSERT_TRUE(secret.ok());
      EXPECT_TRUE(secret->Equals(f->secret())) << "t=" << t;
      if (t > 1) {
        // t-1 shares interpolate a different (lower-degree) polynomial.
        auto wrong = RecoverSecret(std::span(shares).first(t - 1), t - 1);
        ASSERT_TRUE(wrong.ok());
        EXPECT_FALSE(wrong->Equals(f->secret())) << "t=" << t;
      }
    }
  }
}

TEST(ShamirTest, TMinusOneSharesAreConsistentWithEverySecret) {
  // For t-1 shares and any candidate secret s', exactly one degree t-1 polynomial passes through
  // (0, s') and the shares: the shares carry no information about f(0).
  auto random = MakeSeededRandomForTesting(12);
  constexpr std::uint32_t t = 4;
  auto f = ShamirPolynomial::Random(t, *random);
  ASSERT_TRUE(f.ok());
  std::vector<Share> shares = SharesAt(*f, 1, t - 1);
  const Scalar candidate = Scalar::Random(*random);
  // Interpolate through (0, s') and the shares, evaluating at a fourth x via Lagrange at 0 on
  // shifted coordinates: shifting x by -x4 maps x4 to 0.
  const Scalar x4 = Scalar::FromUint64(9);
  std::vector<Share> shifted;
  shifted.push_back({Scalar() - x4, candidate.Clone()});
  for (const Share& s : shares) shifted.push_back({s.x - x4, s.y.Clone()});
  auto y4 = RecoverSecret(shifted, t);
  ASSERT_TRUE(y4.ok());
  // The polynomial through (0, s'), the t-1 shares and (x4, y4) recovers s' from those shares.
  shares.push_back({x4.Clone(), std::move(y4).value()});
  auto recovered = RecoverSecret(shares, t);
  ASSERT_TRUE(recovered.ok());
  EXPECT_TRUE(recovered->Equals(candidate));
}

TEST(ShamirTest, UsesOnlyTheFirstTShares) {
  auto random = MakeSeededRandomForTesting(13);
  auto f = ShamirPolynomial::Random(3, *random);
  ASSERT_TRUE(f.ok());
  std::vector<Share> shares = SharesAt(*f, 1, 3);
  shares.push_back({Scalar::FromUint64(100), Scalar::Random(*random)});  // not on f
  auto secret = RecoverSecret(shares, 3);
  ASSERT_TRUE(secret.ok());
  EXPECT_TRUE(secret->Equals(f->secret()));
}

TEST(ShamirTest, RejectsDuplicateOrZeroXTooFewSharesAndBadThresholds) {
  auto random = MakeSeededRandomForTesting(14);
  auto f = ShamirPolynomial::Random(3, *random);
  ASSERT_TRUE(f.ok());
  std::vector<Share> shares = SharesAt(*f, 1, 3);
  shares[2] = shares[0].Clone();
  EXPECT_EQ(RecoverSecret(shares, 3).status().code(), StatusCode::kInvalidInput);
  shares = SharesAt(*f, 1, 3);
  shares[1].x = Scalar();
  EXPECT_EQ(RecoverSecret(shares, 3).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(RecoverSecret(SharesAt(*f, 1, 2), 3).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(RecoverSecret(SharesAt(*f, 1, 3), 0).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(RecoverSecret({}, kMaxThreshold + 1).status().code(), StatusCode::kInvalidInput);
  EXPECT_FALSE(ShamirPolynomial::Random(0, *random).ok());
  EXPECT_FALSE(ShamirPolynomial::Random(kMaxThreshold + 1, *random).ok());
  EXPECT_FALSE(ShamirPolynomial::FromCoefficients({}).ok());
}

TEST(ShamirTest, CloneIsAnIndependentEqualPolynomial) {
  auto random = MakeSeededRandomForTesting(15);
  auto f = ShamirPolynomial::Random(5, *random);
  ASSERT_TRUE(f.ok());
  const ShamirPolynomial g = f->Clone();
  const Scalar x = Scalar::Random(*random);
  EXPECT_TRUE(g.Evaluate(x).Equals(f->Evaluate(x)));
  EXPECT_EQ(g.threshold(), 5u);
}

}  // namespace
}  // namespace hashveil::psi
