#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/db_proof.h"

#include <gtest/gtest.h>

#include "client_db_writer.h"
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

TEST_F(DbProofTest, ProofWithAnotherFillerSeedFails) {
  DbProof proof = proof_;
  proof.filler_seed[0] ^= 1;
  const Status status = Verify(proof);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_EQ(status.message(), kFillerSeedMismatch);
}

// Issue 15 item 11: the DLEQ statement hashes the DB digest, which covers the header. Another DB
// with the same points and L but another header (here another threshold and epoch) has another
// digest; the first DB's proof, relabelled with that digest, must not verify for it. Without the
// digest in the statement it would: the weights, A, B and the challenge would all be the same.
TEST_F(DbProofTest, ProofOfTheSamePointsUnderAnotherHeaderFails) {
  ClientDbParams other_params = db_->params();
  other_params.threshold += 1;
  other_params.epoch += 1;
  std::vector<psi::Point> points;
  for (std::uint64_t i = 0; i < other_params.slot_count; ++i) points.push_back(db_->slot(i));
  const auto other_path = dir_ / "other.hvdb";
  ASSERT_TRUE(WriteClientDb(other_params, points, publisher_, other_path).ok());
  auto other = ClientDb::Load(other_path, publisher_.public_key);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_NE((*other)->digest(), db_->digest());

  DbProof relabelled = proof_;
  relabelled.db_digest = (*other)->digest();
  const Status status = VerifyDbProof(**other, relabelled, 2, {});
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("does not verify"), std::string::npos) << status.message();

  // The same keys proved for the other DB's digest verify: only the binding differs.
  auto random = MakeSeededRandomForTesting(8);
  auto reproved = ProveDb((*other)->digest(), other_params.db_nonce, proof_.filler_seed,
                          proof_.keys, secret_, *random, 1, {});
  ASSERT_TRUE(reproved.ok());
  EXPECT_TRUE(VerifyDbProof(**other, *reproved, 2, {}).ok());
}

TEST_F(DbProofTest, ProofWithAnotherAlphaFails) {
  auto random = MakeSeededRandomForTesting(77);
  const ServerSecret other = GenerateServerSecret(*random);
  auto forged = ProveDb(db_->digest(), db_->params().db_nonce, proof_.filler_seed, proof_.keys,
                        other, *random, 1, {});
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(Verify(*forged).code(), StatusCode::kCorrupt);
}

TEST_F(DbProofTest, FileRoundTripsAndDamagedFilesAreRefused) {
  auto loaded = LoadDbProof(proof_path());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->filler_seed, proof_.filler_seed);
  EXPECT_EQ(loaded->keys, proof_.keys);
  EXPECT_EQ(loaded->challenge, proof_.challenge);
  EXPECT_EQ(loaded->response, proof_.response);

  const auto bytes = ReadAll(proof_path());
  const auto damaged = dir_ / "damaged.proof";
  for (std::size_t length : {std::size_t{0}, std::size_t{3}, std::size_t{8}, std::size_t{47},
                             std::size_t{79}, bytes.size() - 1, bytes.size() - 41}) {
    WriteAll(damaged, std::span(bytes).first(length));
    EXPECT_EQ(LoadDbProof(damaged).status().code(), StatusCode::kCorrupt) << length;
  }
  for (std::uint8_t version : {1, 9}) {  // version 1 had no filler seed
    auto wrong_version = bytes;
    wrong_version[4] = version;
    WriteAll(damaged, wrong_version);
    const Status status = LoadDbProof(damaged).status();
    EXPECT_EQ(status.code(), StatusCode::kUnsupported);
    EXPECT_NE(status.message().find("unsupported DB proof version " + std::to_string(version)),
              std::string::npos)
        << status.message();
  }
  auto huge_count = bytes;
  huge_count[4 + 4 + 32 + 32 + 7] = 0xff;  // key count's top byte
  WriteAll(damaged, huge_count);
  EXPECT_EQ(LoadDbProof(damaged).status().code(), StatusCode::kCorrupt);
}

TEST_F(DbProofTest, ProverRefusesUnorderedOrEmptyKeys) {
  auto keys = proof_.keys;
  std::swap(keys[0], keys[1]);
  auto random = MakeSeededRandomForTesting(3);
  EXPECT_EQ(ProveDb(db_->digest(), db_->params().db_nonce, proof_.filler_seed, keys, secret_,
                    *random, 1, {})
                .status()
                .code(),
            StatusCode::kInvalidInput);
  EXPECT_EQ(ProveDb(db_->digest(), db_->params().db_nonce, proof_.filler_seed, {}, secret_,
                    *random, 1, {})
                .status()
                .code(),
            StatusCode::kInvalidInput);
}

}  // namespace
}  // namespace hashveil::hashdb
