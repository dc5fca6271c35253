#include "hashveil/psi/key_hashing.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

namespace hashveil::psi {
namespace {

matcher::MatchKey KeyWith(std::uint8_t table, std::uint8_t first_byte) {
  matcher::MatchKey key{};
  key[0] = table;
  key[1] = first_byte;
  return key;
}

TEST(KeyHashingTest, MatchKeyPointDependsOnKeyAndNonce) {
  DbNonce nonce{};
  DbNonce other_nonce{};
  other_nonce[0] = 1;
  const Point p = HashMatchKey(nonce, KeyWith(0, 1));
  EXPECT_TRUE(IsValidPoint(p));
  EXPECT_EQ(p, HashMatchKey(nonce, KeyWith(0, 1)));
  EXPECT_NE(p, HashMatchKey(nonce, KeyWith(0, 2)));
  EXPECT_NE(p, HashMatchKey(nonce, KeyWith(1, 1)));  // the table index is part of the key
  EXPECT_NE(p, HashMatchKey(other_nonce, KeyWith(0, 1)));
}

TEST(KeyHashingTest, OkvsCellsLieOneInEachThirdAndAreDeterministic) {
  DbNonce nonce{};
  for (std::uint64_t cell_count : {3u, 6u, 999u, 123'000u}) {
    const std::uint64_t third = cell_count / 3;
    for (int k = 0; k < 200; ++k) {
      const auto key = KeyWith(0, static_cast<std::uint8_t>(k));
      const auto cells = OkvsCells(nonce, 0, key, cell_count);
      for (std::uint64_t j = 0; j < 3; ++j) {
        EXPECT_GE(cells[j], j * third);
        EXPECT_LT(cells[j], (j + 1) * third);
      }
      EXPECT_EQ(cells, OkvsCells(nonce, 0, key, cell_count));
    }
  }
}

TEST(KeyHashingTest, OkvsCellsDependOnNonceAttemptAndKey) {
  DbNonce nonce{};
  DbNonce other_nonce{};
  other_nonce[0] = 1;
  const auto cells = OkvsCells(nonce, 0, KeyWith(0, 1), 3'000'000);
  EXPECT_NE(cells, OkvsCells(nonce, 1, KeyWith(0, 1), 3'000'000));
  EXPECT_NE(cells, OkvsCells(other_nonce, 0, KeyWith(0, 1), 3'000'000));
  EXPECT_NE(cells, OkvsCells(nonce, 0, KeyWith(0, 2), 3'000'000));
}

// Pins the construction byte for byte (docs/protocol.md 1.1): BLAKE2b-192 of the length-prefixed
// domain, nonce, u32 attempt and key, its three little-endian words reduced into the thirds.
TEST(KeyHashingTest, OkvsCellsFollowTheDocumentedConstruction) {
  DbNonce nonce{};
  nonce[0] = 7;
  const matcher::MatchKey key = KeyWith(2, 9);
  const std::string domain = "hashveil/okvs-cells";
  std::vector<std::uint8_t> message{static_cast<std::uint8_t>(domain.size())};
  message.insert(message.end(), domain.begin(), domain.end());
  message.insert(message.end(), nonce.begin(), nonce.end());
  for (std::uint8_t b : {5, 0, 0, 0}) message.push_back(b);  // attempt 5
  message.insert(message.end(), key.begin(), key.end());
  std::array<std::uint8_t, 24> digest{};
  crypto_generichash(digest.data(), digest.size(), message.data(), message.size(), nullptr, 0);
  const std::uint64_t third = 1'000'003;
  const auto cells = OkvsCells(nonce, 5, key, 3 * third);
  for (std::size_t j = 0; j < 3; ++j) {
    std::uint64_t word = 0;
    for (int i = 7; i >= 0; --i) word = word << 8 | digest[8 * j + static_cast<std::size_t>(i)];
    __extension__ typedef unsigned __int128 Wide;
    EXPECT_EQ(cells[j], j * third + static_cast<std::uint64_t>(Wide{word} * third >> 64)) << j;
  }
}

TEST(KeyHashingTest, OkvsCellsSpreadEvenly) {
  DbNonce nonce{};
  std::vector<int> counts(30, 0);
  for (int k = 0; k < 5000; ++k) {
    matcher::MatchKey key{};
    key[1] = static_cast<std::uint8_t>(k);
    key[2] = static_cast<std::uint8_t>(k >> 8);
    for (std::uint64_t cell : OkvsCells(nonce, 0, key, 30)) ++counts[cell];
  }
  for (int c : counts) EXPECT_NEAR(c, 500, 120);
}

TEST(KeyHashingTest, ElementsEncodeToThePoints) {
  DbNonce nonce{};
  nonce[1] = 4;
  FillerSeed seed{};
  seed[2] = 5;
  EXPECT_EQ(HashMatchKeyElement(nonce, KeyWith(0, 3)).Encode(), HashMatchKey(nonce, KeyWith(0, 3)));
  EXPECT_EQ(FillerElement(seed, 77).Encode(), FillerPoint(seed, 77));
}

TEST(KeyHashingTest, FillersAreVerifiableFromTheSeed) {
  FillerSeed seed{};
  seed[3] = 9;
  EXPECT_EQ(FillerPoint(seed, 5), FillerPoint(seed, 5));
  EXPECT_NE(FillerPoint(seed, 5), FillerPoint(seed, 6));
  EXPECT_TRUE(IsValidPoint(FillerPoint(seed, 0)));
}

}  // namespace
}  // namespace hashveil::psi
