#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "publish_fixture.h"

namespace hashveil::hashdb {
namespace {

class KeysTest : public testing::PublishTest {
 protected:
  static unsigned Mode(const std::filesystem::path& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 0777;
  }
};

TEST_F(KeysTest, GenerationIsDeterministicForASeedAndDiffersAcrossSeeds) {
  auto secret = [](std::uint64_t seed) {
    return GenerateServerSecret(*MakeSeededRandomForTesting(seed));
  };
  auto publisher = [](std::uint64_t seed) {
    return GeneratePublisherKeys(*MakeSeededRandomForTesting(seed)).public_key;
  };
  EXPECT_TRUE(secret(1).alpha.Equals(secret(1).alpha));
  EXPECT_FALSE(secret(1).alpha.Equals(secret(2).alpha));
  EXPECT_FALSE(secret(1).alpha.IsZero());
  EXPECT_EQ(publisher(1), publisher(1));
  EXPECT_NE(publisher(1), publisher(2));
}

TEST_F(KeysTest, ServerSecretRoundTripsThroughA0600File) {
  auto random = MakeSeededRandomForTesting(3);
  const ServerSecret secret = GenerateServerSecret(*random);
  ASSERT_TRUE(SaveServerSecret(secret, dir_ / "server.key").ok());
  EXPECT_EQ(Mode(dir_ / "server.key"), 0600u);
  auto loaded = LoadServerSecret(dir_ / "server.key");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(loaded->alpha.Equals(secret.alpha));
  EXPECT_EQ(loaded->public_point(), secret.public_point());
  EXPECT_EQ(SaveServerSecret(secret, dir_ / "server.key").code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(KeysTest, PublisherKeysRoundTripAndThePublicFileMatches) {
  auto random = MakeSeededRandomForTesting(4);
  const PublisherKeyPair keys = GeneratePublisherKeys(*random);
  ASSERT_TRUE(SavePublisherKeys(keys, dir_ / "pub.key", dir_ / "pub.key.pub").ok());
  EXPECT_EQ(Mode(dir_ / "pub.key"), 0600u);
  auto loaded = LoadPublisherKeys(dir_ / "pub.key");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->public_key, keys.public_key);
  EXPECT_TRUE(ConstantTimeEqual(loaded->secret_key.span(), keys.secret_key.span()));
  auto public_key = LoadPublisherPublicKey(dir_ / "pub.key.pub");
  ASSERT_TRUE(public_key.ok());
  EXPECT_EQ(*public_key, keys.public_key);
}

TEST_F(KeysTest, SwappedFilesAreRefusedByMagic) {
  auto random = MakeSeededRandomForTesting(5);
  ASSERT_TRUE(SavePublisherKeys(GeneratePublisherKeys(*random), dir_ / "p.key", dir_ / "p.pub").ok());
  ASSERT_TRUE(SaveServerSecret(GenerateServerSecret(*random), dir_ / "s.key").ok());
  // The public key file and the server secret file have the same length: only magic tells them apart.
  EXPECT_EQ(LoadServerSecret(dir_ / "p.pub").status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(LoadPublisherPublicKey(dir_ / "s.key").status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(LoadPublisherKeys(dir_ / "s.key").status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(LoadServerSecret(dir_ / "absent").status().code(), StatusCode::kNotFound);
}

TEST_F(KeysTest, WrongVersionIsRefused) {
  auto random = MakeSeededRandomForTesting(6);
  ASSERT_TRUE(SaveServerSecret(GenerateServerSecret(*random), dir_ / "s.key").ok());
  auto bytes = ReadAll(dir_ / "s.key");
  bytes[4] = 2;
  WriteAll(dir_ / "s.key", bytes);
  auto loaded = LoadServerSecret(dir_ / "s.key");
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(loaded.status().message().find("version"), std::string::npos);
}

TEST_F(KeysTest, ZeroOrNonCanonicalAlphaIsCorrupt) {
  auto random = MakeSeededRandomForTesting(7);
  ASSERT_TRUE(SaveServerSecret(GenerateServerSecret(*random), dir_ / "s.key").ok());
  auto bytes = ReadAll(dir_ / "s.key");
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  WriteAll(dir_ / "s.key", bytes);
  EXPECT_EQ(LoadServerSecret(dir_ / "s.key").status().code(), StatusCode::kCorrupt);
  std::fill(bytes.begin() + 8, bytes.end(), 0xff);  // above the group order
  WriteAll(dir_ / "s.key", bytes);
  EXPECT_EQ(LoadServerSecret(dir_ / "s.key").status().code(), StatusCode::kCorrupt);
}

TEST_F(KeysTest, PublisherKeyWithMismatchedHalvesIsCorrupt) {
  auto random = MakeSeededRandomForTesting(8);
  ASSERT_TRUE(SavePublisherKeys(GeneratePublisherKeys(*random), dir_ / "p.key", dir_ / "p.pub").ok());
  auto bytes = ReadAll(dir_ / "p.key");
  bytes.back() ^= 1;  // the stored public half
  WriteAll(dir_ / "p.key", bytes);
  EXPECT_EQ(LoadPublisherKeys(dir_ / "p.key").status().code(), StatusCode::kCorrupt);
}

TEST_F(KeysTest, PublicKeyFileOfWrongSizeIsRefused) {
  const std::vector<std::uint8_t> short_file = {'H', 'V', 'P', 'P', 1, 0, 0, 0, 1, 2, 3};
  WriteAll(dir_ / "short.pub", short_file);
  EXPECT_EQ(LoadPublisherPublicKey(dir_ / "short.pub").status().code(), StatusCode::kInvalidInput);
}

}  // namespace
}  // namespace hashveil::hashdb
