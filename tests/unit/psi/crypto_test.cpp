#include "hashveil/common/seeded_random.h"
#include "hashveil/psi/crypto.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "hashveil/common/hex.h"

namespace hashveil::psi {
namespace {

std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

AeadKey KeyFromCounting(std::uint8_t first) {
  AeadKey key;
  for (std::size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<std::uint8_t>(first + i);
  return key;
}

// Replays fixed bytes, so a Seal's nonce is known in advance.
class FixedBytes final : public RandomSource {
 public:
  explicit FixedBytes(std::uint8_t first) : next_(first) {}
  void Fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = next_++;
  }

 private:
  std::uint8_t next_;
};

// Expected outputs below were computed independently, with Python's hashlib.blake2b and the
// `cryptography` package's ChaCha20Poly1305 plus a hand-written HChaCha20 (XChaCha20).
const std::string kPlaintext = "the rkey: 32 bytes of key stuff!";
const std::string kAd = "voucher";

TEST(CryptoTest, SealWithSingleUseKeyKnownAnswer) {
  const auto sealed = SealWithSingleUseKey(KeyFromCounting(0), Bytes(kPlaintext), Bytes(kAd));
  EXPECT_EQ(ToHex(sealed),
            "9e41726cf059cc78d3fbeacdef299777012c61eda727823661b8c58fb18220af50c1a38dd0ea7ddf"
            "3749dfb0010e18cd3c4740ffe1e34285aeef65e94222714c");
  EXPECT_EQ(sealed.size(), kPlaintext.size() + kSingleUseSealOverhead);
}

TEST(CryptoTest, SealKnownAnswerWithAGivenNonce) {
  FixedBytes nonce_source(100);
  const auto sealed = Seal(KeyFromCounting(0), Bytes(kPlaintext), Bytes(kAd), nonce_source);
  EXPECT_EQ(ToHex(sealed),
            "6465666768696a6b6c6d6e6f707172737475767778797a7ba7a07db6a645bee2d2de6feebf657aa5"
            "44abc5570b45dc952570fe86bbd0da18b3c9eca35dc2011fa758b74737bd67ae8a9c5297c948bfc4"
            "421cc696659576cc");
}

TEST(CryptoTest, PrfAndKdfKnownAnswers) {
  PrfKey prf_key;
  const AeadKey counting = KeyFromCounting(0);
  std::copy_n(counting.data(), prf_key.size(), prf_key.data());
  std::array<std::uint8_t, 32> out{};
  Prf(prf_key, "hashveil/test", Bytes("input"), out);
  EXPECT_EQ(ToHex(out), "ae3706629bca1e98d8efbbd3ac065e04bee70847e10dab7b7a0eaf8ee4559ad1");

  Point point;
  for (std::size_t i = 0; i < point.bytes.size(); ++i) point.bytes[i] = static_cast<std::uint8_t>(32 + i);
  EXPECT_EQ(ToHex(DeriveKeyFromPoint(point).span()),
            "fe7b95558aa77180c520e649c3fdd7a2f3aa1c03c84a81525cb3165367def9fc");
}

TEST(CryptoTest, SealOpensWithItsKeyAndAssociatedData) {
  auto random = MakeSeededRandomForTesting(1);
  const AeadKey key = RandomAeadKey(*random);
  for (const std::string& message : {std::string(), std::string("x"), std::string(4000, 'p')}) {
    const auto sealed = Seal(key, Bytes(message), Bytes(kAd), *random);
    ASSERT_EQ(sealed.size(), message.size() + kSealOverhead);
    auto opened = Open(key, sealed, Bytes(kAd));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_TRUE(ConstantTimeEqual(opened->span(), Bytes(message)));
  }
}

// Every way a ciphertext can be wrong gives the same kCorrupt.
void ExpectDoesNotOpen(const Result<SecretBytes>& opened) {
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(opened.status().message(), "ciphertext does not open");
}

TEST(CryptoTest, WrongKeyWrongAdFlippedByteOrTruncationNeverOpen) {
  auto random = MakeSeededRandomForTesting(2);
  const AeadKey key = RandomAeadKey(*random);
  const auto sealed = Seal(key, Bytes(kPlaintext), Bytes(kAd), *random);
  ExpectDoesNotOpen(Open(RandomAeadKey(*random), sealed, Bytes(kAd)));
  ExpectDoesNotOpen(Open(key, sealed, Bytes("other")));
  ExpectDoesNotOpen(Open(key, sealed, {}));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (std::uint8_t bit : {0x01, 0x80}) {
      auto flipped = sealed;
      flipped[i] ^= bit;
      ExpectDoesNotOpen(Open(key, flipped, Bytes(kAd)));
    }
  }
  for (std::size_t length = 0; length < sealed.size(); ++length) {
    ExpectDoesNotOpen(Open(key, std::span(sealed).first(length), Bytes(kAd)));
  }
  auto extended = sealed;
  extended.push_back(0);
  ExpectDoesNotOpen(Open(key, extended, Bytes(kAd)));
}

TEST(CryptoTest, SingleUseSealIsDeterministicAndRejectsTampering) {
  auto random = MakeSeededRandomForTesting(3);
  const AeadKey key = RandomAeadKey(*random);
  const auto sealed = SealWithSingleUseKey(key, Bytes(kPlaintext), Bytes(kAd));
  EXPECT_EQ(sealed, SealWithSingleUseKey(key, Bytes(kPlaintext), Bytes(kAd)));
  auto opened = OpenWithSingleUseKey(key, sealed, Bytes(kAd));
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(ConstantTimeEqual(opened->span(), Bytes(kPlaintext)));
  ExpectDoesNotOpen(OpenWithSingleUseKey(RandomAeadKey(*random), sealed, Bytes(kAd)));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    auto flipped = sealed;
    flipped[i] ^= 0x04;
    ExpectDoesNotOpen(OpenWithSingleUseKey(key, flipped, Bytes(kAd)));
  }
  for (std::size_t length = 0; length < sealed.size(); ++length) {
    ExpectDoesNotOpen(OpenWithSingleUseKey(key, std::span(sealed).first(length), Bytes(kAd)));
  }
}

TEST(CryptoTest, TheTwoModesAreDomainSeparated) {
  auto random = MakeSeededRandomForTesting(4);
  const AeadKey key = RandomAeadKey(*random);
  const auto single_use = SealWithSingleUseKey(key, Bytes(kPlaintext), Bytes(kAd));
  // Prefixing the implicit zero nonce turns a single-use output into Seal's layout.
  std::vector<std::uint8_t> as_sealed(kAeadNonceBytes, 0);
  as_sealed.insert(as_sealed.end(), single_use.begin(), single_use.end());
  ExpectDoesNotOpen(Open(key, as_sealed, Bytes(kAd)));
  const auto sealed = Seal(key, Bytes(kPlaintext), Bytes(kAd), *random);
  ExpectDoesNotOpen(
      OpenWithSingleUseKey(key, std::span(sealed).subspan(kAeadNonceBytes), Bytes(kAd)));
}

TEST(CryptoTest, KeyCommitmentRejectsEveryOtherKey) {
  auto random = MakeSeededRandomForTesting(5);
  const AeadKey key = RandomAeadKey(*random);
  const auto sealed = SealWithSingleUseKey(key, Bytes(kPlaintext), Bytes(kAd));
  for (int trial = 0; trial < 2000; ++trial) {
    ExpectDoesNotOpen(OpenWithSingleUseKey(RandomAeadKey(*random), sealed, Bytes(kAd)));
  }
  // Keys one bit away from the right one.
  for (std::size_t bit = 0; bit < 8 * kAeadKeyBytes; ++bit) {
    AeadKey near = key.Clone();
    near.data()[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    ExpectDoesNotOpen(OpenWithSingleUseKey(near, sealed, Bytes(kAd)));
  }
}

TEST(CryptoTest, NoncesNeverRepeatOverManySeals) {
  auto random = MakeSystemRandom();
  const AeadKey key = RandomAeadKey(*random);
  std::set<std::string> nonces;
  constexpr int kSeals = 100'000;
  for (int i = 0; i < kSeals; ++i) {
    const auto sealed = Seal(key, {}, {}, *random);
    nonces.emplace(sealed.begin(), sealed.begin() + kAeadNonceBytes);
  }
  EXPECT_EQ(nonces.size(), static_cast<std::size_t>(kSeals));
}

TEST(CryptoTest, KdfsAndPrfAreDomainSeparated) {
  auto random = MakeSeededRandomForTesting(6);
  const Scalar scalar = Scalar::Random(*random);
  const Point point = MulBase(scalar);
  Point same_bytes;
  std::copy(scalar.bytes().begin(), scalar.bytes().end(), same_bytes.bytes.begin());
  // The same 32 input bytes give different keys as a point and as a scalar.
  EXPECT_FALSE(ConstantTimeEqual(DeriveKeyFromPoint(same_bytes).span(),
                                 DeriveKeyFromScalar(scalar).span()));
  EXPECT_TRUE(ConstantTimeEqual(DeriveKeyFromPoint(point).span(),
                                DeriveKeyFromPoint(point).span()));

  PrfKey prf_key;
  random->Fill(prf_key.span());
  std::array<std::uint8_t, 32> a{}, b{}, c{};
  Prf(prf_key, "hashveil/a", Bytes("x"), a);
  Prf(prf_key, "hashveil/b", Bytes("x"), b);
  Prf(prf_key, "hashveil/a", Bytes("y"), c);
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  // The domain's length prefix keeps ("ab", "c") and ("a", "bc") apart.
  Prf(prf_key, "ab", Bytes("c"), a);
  Prf(prf_key, "a", Bytes("bc"), b);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace hashveil::psi
