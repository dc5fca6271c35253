#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/db_proof.h"

#include <gtest/gtest.h>

#include <algorithm>

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

  // What a publisher holding alpha can prove for this DB: any keys and values, proved honestly.
  DbProof Reprove(std::vector<matcher::MatchKey> keys, std::vector<psi::Point> values,
                  const ServerSecret& secret) const {
    auto random = MakeSeededRandomForTesting(8);
    auto proof = ProveDb(db_->digest(), db_->params().db_nonce, proof_.filler_seed,
                         std::move(keys), std::move(values), secret, *random, 1, {});
    EXPECT_TRUE(proof.ok()) << proof.status().ToString();
    return std::move(proof).value();
  }

  std::unique_ptr<ClientDb> db_;
  DbProof proof_;
};

TEST_F(DbProofTest, HonestProofListsEveryKeyAscendingWithTheValueTheTableDecodesItTo) {
  EXPECT_TRUE(Verify(proof_).ok());
  EXPECT_EQ(proof_.db_digest, db_->digest());
  ASSERT_EQ(proof_.keys.size(), 40u);
  ASSERT_EQ(proof_.values.size(), 40u);
  for (std::size_t i = 0; i < proof_.keys.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(proof_.keys[i - 1], proof_.keys[i]);
    }
    const psi::Point blinded =
        psi::Mul(secret_.alpha, psi::HashMatchKey(db_->params().db_nonce, proof_.keys[i])).value();
    EXPECT_EQ(proof_.values[i], blinded) << i;
    EXPECT_EQ(db_->ProbeValue(proof_.keys[i]).value().Encode(), blinded) << i;
  }
}

TEST_F(DbProofTest, AlteredScalarsKeysOrValuesFail) {
  DbProof proof = proof_;
  proof.response[0] ^= 1;
  EXPECT_EQ(Verify(proof).code(), StatusCode::kCorrupt);
  proof = proof_;
  proof.challenge[3] ^= 1;
  EXPECT_EQ(Verify(proof).code(), StatusCode::kCorrupt);
  proof = proof_;
  proof.keys[5].back() ^= 1;  // claims another key for value 5 (the order is kept)
  ASSERT_LT(proof.keys[5], proof.keys[6]);
  EXPECT_EQ(Verify(proof).code(), StatusCode::kCorrupt);
  proof = proof_;
  std::swap(proof.values[2], proof.values[3]);  // values swapped between two keys
  EXPECT_EQ(Verify(proof).code(), StatusCode::kCorrupt);
  proof = proof_;
  proof.keys.pop_back();  // a shorter statement gets other weights and challenge
  proof.values.pop_back();
  EXPECT_EQ(Verify(proof).code(), StatusCode::kCorrupt);
  proof = proof_;
  proof.db_digest[0] ^= 1;
  EXPECT_NE(Verify(proof).message().find("another DB"), std::string::npos);
}

// The prover does not check its values: one that is not alpha*H(key) (here another point of the
// table, and then the key blinded with another alpha) gives a proof that does not verify.
TEST_F(DbProofTest, AValueThatIsNotAlphaTimesHOfItsKeyFails) {
  auto values = proof_.values;
  values[7] = values[8];
  Status status = Verify(Reprove(proof_.keys, values, secret_));
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("does not verify"), std::string::npos) << status.message();

  auto random = MakeSeededRandomForTesting(77);
  const ServerSecret other = GenerateServerSecret(*random);
  values = proof_.values;
  values[7] = psi::Mul(other.alpha, psi::HashMatchKey(db_->params().db_nonce, proof_.keys[7]))
                  .value();
  status = Verify(Reprove(proof_.keys, values, secret_));
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("does not verify"), std::string::npos) << status.message();
}

TEST_F(DbProofTest, ProofWithAnotherAlphaFails) {
  auto random = MakeSeededRandomForTesting(77);
  EXPECT_EQ(Verify(Reprove(proof_.keys, proof_.values, GenerateServerSecret(*random))).code(),
            StatusCode::kCorrupt);
}

TEST_F(DbProofTest, ProofWithAnotherFillerSeedFails) {
  DbProof proof = proof_;
  proof.filler_seed[0] ^= 1;
  const Status status = Verify(proof);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_EQ(status.message(), kFillerSeedMismatch);
}

// Values that are not points, or the identity, are refused by index before the DLEQ; so are
// keys out of order and a value list of another length.
TEST_F(DbProofTest, MalformedValuesAndKeysAreRefusedByIndex) {
  DbProof proof = proof_;
  proof.values[11].bytes.fill(0xff);
  Status status = Verify(proof);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("value 11 is not a valid point"), std::string::npos)
      << status.message();
  proof = proof_;
  proof.values[12] = psi::Point{};  // the identity's encoding
  EXPECT_NE(Verify(proof).message().find("value 12 is not a valid point"), std::string::npos);
  proof = proof_;
  std::swap(proof.keys[3], proof.keys[4]);
  status = Verify(proof);
  EXPECT_NE(status.message().find("not strictly ascending (entry 4)"), std::string::npos)
      << status.message();
  proof = proof_;
  proof.keys[4] = proof.keys[3];
  EXPECT_NE(Verify(proof).message().find("not strictly ascending"), std::string::npos);
  proof = proof_;
  proof.values.pop_back();
  EXPECT_NE(Verify(proof).message().find("one to one"), std::string::npos);
  proof = proof_;
  proof.keys.clear();
  proof.values.clear();
  EXPECT_EQ(Verify(proof).code(), StatusCode::kCorrupt);
}

// Issue 15 item 11: the DLEQ statement hashes the DB digest, which covers the header. Another DB
// with the same cells and L but another header (here another threshold and epoch) has another
// digest; the first DB's proof, relabelled with that digest, must not verify for it. Without the
// digest in the statement it would: the weights, A, B and the challenge would all be the same.
TEST_F(DbProofTest, ProofOfTheSameCellsUnderAnotherHeaderFails) {
  ClientDbParams other_params = db_->params();
  other_params.threshold += 1;
  other_params.epoch += 1;
  std::vector<psi::Point> cells;
  for (std::uint64_t i = 0; i < other_params.cell_count; ++i) cells.push_back(db_->cell(i));
  const auto other_path = dir_ / "other.hvdb";
  ASSERT_TRUE(WriteClientDb(other_params, cells, publisher_, other_path).ok());
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
                          proof_.keys, proof_.values, secret_, *random, 1, {});
  ASSERT_TRUE(reproved.ok());
  EXPECT_TRUE(VerifyDbProof(**other, *reproved, 2, {}).ok());
}

// The bucket sums split the terms into chunks of 1024 across threads: a proof over several
// chunks verifies whatever the thread count, and one changed value still fails.
TEST_F(DbProofTest, ProofsOverManyChunksVerifyOnAnyThreadCount) {
  std::vector<matcher::MatchKey> keys;
  std::vector<psi::Point> values;
  const auto scheme = db_->params().key_scheme;
  for (const PublishedEntry& entry : testing::RandomEntries(2500, 5)) {
    keys.push_back(matcher::BaseKeys(entry.hash, scheme)[0]);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (const auto& key : keys) {
    values.push_back(
        psi::Mul(secret_.alpha, psi::HashMatchKey(db_->params().db_nonce, key)).value());
  }
  const DbProof proof = Reprove(keys, values, secret_);
  for (unsigned threads : {1u, 2u, 3u}) {
    EXPECT_TRUE(VerifyDbProof(*db_, proof, threads, {}).ok()) << threads;
  }
  values[2049] = values[0];
  EXPECT_EQ(Verify(Reprove(keys, values, secret_)).code(), StatusCode::kCorrupt);
}

TEST_F(DbProofTest, FileRoundTripsAndDamagedFilesAreRefused) {
  auto loaded = LoadDbProof(proof_path());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->filler_seed, proof_.filler_seed);
  EXPECT_EQ(loaded->keys, proof_.keys);
  EXPECT_EQ(loaded->values, proof_.values);
  EXPECT_EQ(loaded->challenge, proof_.challenge);
  EXPECT_EQ(loaded->response, proof_.response);

  const auto bytes = ReadAll(proof_path());
  ASSERT_EQ(bytes.size(), 144 + 65 * proof_.keys.size());
  const auto damaged = dir_ / "damaged.proof";
  for (std::size_t length : {std::size_t{0}, std::size_t{3}, std::size_t{8}, std::size_t{47},
                             std::size_t{79}, bytes.size() - 1, bytes.size() - 65}) {
    WriteAll(damaged, std::span(bytes).first(length));
    EXPECT_EQ(LoadDbProof(damaged).status().code(), StatusCode::kCorrupt) << length;
  }
  for (std::uint8_t version : {1, 2, 4}) {  // 1: no filler seed; 2: cuckoo slots, no values
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

// A version-2 proof as version 2 wrote it (per key: u64 slot, then the key; 144 + 41 n bytes) is
// refused as unsupported, never read as a version-3 proof of other keys.
TEST_F(DbProofTest, AVersionTwoProofIsUnsupported) {
  std::vector<std::uint8_t> v2 = {'H', 'V', 'P', 'F', 2, 0, 0, 0};
  v2.insert(v2.end(), proof_.db_digest.begin(), proof_.db_digest.end());
  v2.insert(v2.end(), proof_.filler_seed.begin(), proof_.filler_seed.end());
  const std::uint64_t count = proof_.keys.size();
  for (int i = 0; i < 8; ++i) v2.push_back(static_cast<std::uint8_t>(count >> (8 * i)));
  for (std::uint64_t slot = 0; slot < count; ++slot) {
    for (int i = 0; i < 8; ++i) v2.push_back(static_cast<std::uint8_t>((2 * slot) >> (8 * i)));
    v2.insert(v2.end(), proof_.keys[slot].begin(), proof_.keys[slot].end());
  }
  v2.insert(v2.end(), proof_.challenge.begin(), proof_.challenge.end());
  v2.insert(v2.end(), proof_.response.begin(), proof_.response.end());
  ASSERT_EQ(v2.size(), 144 + 41 * count);
  WriteAll(dir_ / "v2.proof", v2);
  const Status status = LoadDbProof(dir_ / "v2.proof").status();
  EXPECT_EQ(status.code(), StatusCode::kUnsupported);
  EXPECT_EQ(status.message(), "unsupported DB proof version 2 (this build reads version 3 only)");
}

TEST_F(DbProofTest, ProverRefusesUnorderedEmptyOrMismatchedInput) {
  auto random = MakeSeededRandomForTesting(3);
  const auto prove = [&](std::vector<matcher::MatchKey> keys, std::vector<psi::Point> values,
                         std::span<const psi::Point> key_points = {}) {
    return ProveDb(db_->digest(), db_->params().db_nonce, proof_.filler_seed, std::move(keys),
                   std::move(values), secret_, *random, 1, {}, key_points)
        .status()
        .code();
  };
  auto keys = proof_.keys;
  std::swap(keys[0], keys[1]);
  EXPECT_EQ(prove(keys, proof_.values), StatusCode::kInvalidInput);
  EXPECT_EQ(prove({}, {}), StatusCode::kInvalidInput);
  auto fewer_values = proof_.values;
  fewer_values.pop_back();
  EXPECT_EQ(prove(proof_.keys, fewer_values), StatusCode::kInvalidInput);
  EXPECT_EQ(prove(proof_.keys, proof_.values, std::span(proof_.values).first(3)),
            StatusCode::kInvalidInput);
}

// The builder may hand the prover the H(key) it computed; the proof is the same.
TEST_F(DbProofTest, PrecomputedKeyPointsGiveTheSameProof) {
  std::vector<psi::Point> key_points;
  for (const auto& key : proof_.keys) {
    key_points.push_back(psi::HashMatchKey(db_->params().db_nonce, key));
  }
  auto with = MakeSeededRandomForTesting(4);
  auto without = MakeSeededRandomForTesting(4);
  auto a = ProveDb(db_->digest(), db_->params().db_nonce, proof_.filler_seed, proof_.keys,
                   proof_.values, secret_, *with, 2, {}, key_points);
  auto b = ProveDb(db_->digest(), db_->params().db_nonce, proof_.filler_seed, proof_.keys,
                   proof_.values, secret_, *without, 2, {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->challenge, b->challenge);
  EXPECT_EQ(a->response, b->response);
  EXPECT_TRUE(Verify(*a).ok());
}

}  // namespace
}  // namespace hashveil::hashdb
