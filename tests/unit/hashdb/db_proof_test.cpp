#include "hashveil/hashdb/db_proof.h"

#include <gtest/gtest.h>

#include "hashveil/hashdb/db_builder.h"
#include "publish_fixture.h"

namespace hashveil::hashdb {
namespace {

class DbProofTest : public testing::PublishTest {
 protected:
  void SetUp() override {
    PublishTest::SetUp();
    auto random = MakeSeededRandomForTesting(1);
    auto built = BuildClientDb(testing::RandomEntries(40, 1), DbBuildOptions{}, secret_,
                               publisher_, *random, db_path(), proof_path());
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    auto db = ClientDb::Load(db_path(), publisher_.public_key);
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    auto proof = LoadDbProof(proof_path());
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    proof_ = std::move(proof).value();
  }
  std::filesystem::path db_path() const { return dir_ / "client.hvdb"; }
  std::filesystem::path proof_path() const { return dir_ / "client.hvdb.proof"; }
  Status Verify(const DbProof& proof) const { return VerifyDbProof(*db_, proof, 2, {}); }

  std::unique_ptr<ClientDb> db_;
  DbProof proof_;
};

TEST_F(DbProofTest, HonestProofVerifiesAndListsEveryOccupiedSlotInOrder) {
  EXPECT_TRUE(Verify(proof_).ok());
  EXPECT_EQ(proof_.db_digest, db_->digest());
  ASSERT_EQ(proof_.keys.size(), 40u);
  for (std::size_t i = 1; i < proof_.keys.size(); ++i) {
    EXPECT_LT(proof_.keys[i - 1].slot, proof_.keys[i].slot);
  }
}

TEST_F(DbProofTest, AlteredScalarsKeysOrSlotsFail) {
  DbProof proof = proof_;
  proof.response[0] ^= 1;
  EXPECT_EQ(Verify(proof).code(), StatusCode::kCorrupt);
  proof = proof_;
  proof.challenge[3] ^= 1;
  EXPECT_EQ(Verify(proof).code(), StatusCode::kCorrupt);
  proof = proof_;
  proof.keys[5].key[4] ^= 1;  // claims another key for slot 5's point
  EXPECT_EQ(Verify(proof).code(), StatusCode::kCorrupt);
  proof = proof_;
  std::swap(proof.keys[2].key, proof.keys[3].key);  // keys swapped between two slots
  EXPECT_EQ(Verify(proof).code(), StatusCode::kCorrupt);
  proof = proof_;
  proof.keys.pop_back();  // a shorter statement gets other weights and challenge
  EXPECT_EQ(Verify(proof).code(), StatusCode::kCorrupt);
  proof = proof_;
  proof.db_digest[0] ^= 1;
  EXPECT_NE(Verify(proof).message().find("another DB"), std::string::npos);
}

TEST_F(DbProofTest, ProofWithAnotherAlphaFails) {
  auto random = MakeSeededRandomForTesting(77);
  const ServerSecret other = GenerateServerSecret(*random);
  auto forged = ProveDb(db_->digest(), db_->params().db_nonce, proof_.keys, other, *random, 1, {});
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(Verify(*forged).code(), StatusCode::kCorrupt);
}

TEST_F(DbProofTest, FileRoundTripsAndDamagedFilesAreRefused) {
  auto loaded = LoadDbProof(proof_path());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->keys, proof_.keys);
  EXPECT_EQ(loaded->challenge, proof_.challenge);
  EXPECT_EQ(loaded->response, proof_.response);

  const auto bytes = ReadAll(proof_path());
  const auto damaged = dir_ / "damaged.proof";
  for (std::size_t length : {std::size_t{0}, std::size_t{3}, std::size_t{8}, std::size_t{47},
                             bytes.size() - 1, bytes.size() - 41}) {
    WriteAll(damaged, std::span(bytes).first(length));
    EXPECT_EQ(LoadDbProof(damaged).status().code(), StatusCode::kCorrupt) << length;
  }
  auto wrong_version = bytes;
  wrong_version[4] = 9;
  WriteAll(damaged, wrong_version);
  EXPECT_EQ(LoadDbProof(damaged).status().code(), StatusCode::kUnsupported);
  auto huge_count = bytes;
  huge_count[4 + 4 + 32 + 7] = 0xff;  // key count's top byte
  WriteAll(damaged, huge_count);
  EXPECT_EQ(LoadDbProof(damaged).status().code(), StatusCode::kCorrupt);
}

TEST_F(DbProofTest, ProverRefusesUnorderedOrEmptyKeys) {
  auto keys = proof_.keys;
  std::swap(keys[0], keys[1]);
  auto random = MakeSeededRandomForTesting(3);
  EXPECT_EQ(ProveDb(db_->digest(), db_->params().db_nonce, keys, secret_, *random, 1, {})
                .status()
                .code(),
            StatusCode::kInvalidInput);
  EXPECT_EQ(ProveDb(db_->digest(), db_->params().db_nonce, {}, secret_, *random, 1, {})
                .status()
                .code(),
            StatusCode::kInvalidInput);
}

}  // namespace
}  // namespace hashveil::hashdb
