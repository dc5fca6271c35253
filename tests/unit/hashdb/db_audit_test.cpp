#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/db_audit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "client_db_writer.h"
#include "hashveil/hashdb/db_builder.h"
#include "publish_fixture.h"

namespace hashveil::hashdb {
namespace {

using ::testing::HasSubstr;

class DbAuditTest : public testing::PublishTest {
 protected:
  void SetUp() override {
    PublishTest::SetUp();
    set_ = testing::RandomEntries(60, 11);
  }
  std::filesystem::path db_path() const { return dir_ / "client.hvdb"; }
  std::filesystem::path proof_path() const { return dir_ / "client.hvdb.proof"; }

  // Publishes to db_path() and proof_path(), removing the previous publication's files first
  // (BuildClientDb never replaces a file).
  void Publish(const std::vector<PublishedEntry>& entries, std::uint64_t seed = 21) {
    std::filesystem::remove(db_path());
    std::filesystem::remove(proof_path());
    auto random = MakeSeededRandomForTesting(seed);
    auto built = BuildClientDb(entries, DbBuildOptions{}, secret_, publisher_, *random, db_path(),
                               proof_path());
    ASSERT_TRUE(built.ok()) << built.status().ToString();
  }

  // A dishonest publisher: re-signs `points` under the same header and proves the proof's
  // (unchanged) keys with the real alpha.
  void Republish(std::vector<psi::Point> points) {
    auto db = ClientDb::LoadIgnoringSignature(db_path()).value();
    const auto proof = LoadDbProof(proof_path()).value();
    const ClientDbParams params = db->params();
    db.reset();
    auto digest = WriteClientDb(params, points, publisher_, db_path());
    ASSERT_TRUE(digest.ok());
    auto random = MakeSeededRandomForTesting(22);
    auto reproved =
        ProveDb(*digest, params.db_nonce, proof.filler_seed, proof.keys, secret_, *random, 1, {});
    ASSERT_TRUE(reproved.ok());
    ASSERT_TRUE(SaveDbProof(*reproved, proof_path()).ok());
  }

  std::vector<psi::Point> Points() const {
    auto db = ClientDb::LoadIgnoringSignature(db_path()).value();
    std::vector<psi::Point> points;
    for (std::uint64_t i = 0; i < db->params().slot_count; ++i) points.push_back(db->slot(i));
    return points;
  }

  DbAuditReport Audit() const {
    auto db = ClientDb::Load(db_path(), publisher_.public_key);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    auto proof = LoadDbProof(proof_path());
    EXPECT_TRUE(proof.ok()) << proof.status().ToString();
    auto report = AuditClientDb(set_, HeldLoader(), **db, *proof, 2);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return std::move(report).value();
  }

  static std::string AllProblems(const DbAuditReport& report) {
    std::string all;
    for (const auto& p : report.problems) all += p + "\n";
    return all;
  }

  std::vector<PublishedEntry> set_;
  // What the store held beyond the set (names extra keys), and how often the audit read it.
  HeldHashesLoader HeldLoader() const {
    return [this]() -> Result<std::vector<PublishedEntry>> {
      ++held_loads_;
      return held_;
    };
  }
  std::vector<PublishedEntry> held_;
  mutable int held_loads_ = 0;
};

TEST_F(DbAuditTest, HonestDbPasses) {
  Publish(set_);
  const DbAuditReport report = Audit();
  EXPECT_TRUE(report.passed()) << AllProblems(report);
  EXPECT_TRUE(report.proof_verified);
  EXPECT_TRUE(report.filler_seed_matches);
  EXPECT_EQ(report.expected_entries, 60u);
  EXPECT_EQ(report.expected_keys, 60u);
  // A table this small may drop a key; a legitimate drop passes.
  EXPECT_EQ(report.proven_keys + report.dropped_keys, 60u);
  EXPECT_EQ(report.fillers_checked, 125u - report.proven_keys);  // ceil(60 / 0.48) slots
  EXPECT_EQ(held_loads_, 0);  // nothing to name: the store's other hashes are never read
}

TEST_F(DbAuditTest, ExtraKeyFails) {
  const PublishedEntry left_out = testing::RandomEntries(1, 99)[0];
  auto with_extra = set_;
  with_extra.push_back(left_out);
  Publish(with_extra);
  // The finding names the hash the extra key belongs to when the store held it.
  held_ = {left_out};
  const DbAuditReport report = Audit();
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.extra_keys, 1u);
  EXPECT_THAT(AllProblems(report), HasSubstr("extra key"));
  EXPECT_THAT(AllProblems(report), HasSubstr(left_out.hash.ToHex()));
  EXPECT_EQ(held_loads_, 1);
  held_.clear();
  EXPECT_THAT(AllProblems(Audit()), HasSubstr("a key of no hash the store held"));
}

TEST_F(DbAuditTest, MissingKeyFails) {
  auto without_one = set_;
  without_one.erase(without_one.begin() + 17);
  Publish(without_one);
  const DbAuditReport report = Audit();
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.missing_keys, 1u);
  // Named with its hash and sources: the auditor can look it up in the lists.
  EXPECT_THAT(AllProblems(report), HasSubstr("missing key: the key of " + set_[17].hash.ToHex()));
  EXPECT_THAT(AllProblems(report), HasSubstr(set_[17].hash.ToHex() + " (sources a, b)"));
}

TEST_F(DbAuditTest, KeyBlindedWithAnotherAlphaFails) {
  Publish(set_);
  const auto proof = LoadDbProof(proof_path()).value();
  const auto nonce = ClientDb::LoadIgnoringSignature(db_path()).value()->params().db_nonce;
  auto points = Points();
  auto random = MakeSeededRandomForTesting(5);
  const ServerSecret other = GenerateServerSecret(*random);
  const ProvenKey& victim = proof.keys[9];
  points[victim.slot] = psi::Mul(other.alpha, psi::HashMatchKey(nonce, victim.key)).value();
  Republish(points);
  const DbAuditReport report = Audit();
  EXPECT_FALSE(report.passed());
  EXPECT_FALSE(report.proof_verified);
  EXPECT_THAT(AllProblems(report), HasSubstr("foreign alpha"));
  EXPECT_EQ(report.extra_keys + report.missing_keys + report.bad_fillers, 0u);
}

TEST_F(DbAuditTest, PlantedFillerFails) {
  Publish(set_);
  auto db = ClientDb::LoadIgnoringSignature(db_path()).value();
  const auto proof = LoadDbProof(proof_path()).value();
  std::uint64_t empty = 0;
  while (std::any_of(proof.keys.begin(), proof.keys.end(),
                     [&](const ProvenKey& k) { return k.slot == empty; })) {
    ++empty;
  }
  // The server plants alpha*H(key) for a key of its choosing where a filler belongs.
  const auto planted_key = matcher::BaseKeys(testing::RandomEntries(1, 123)[0].hash,
                                             db->params().key_scheme)[0];
  auto points = Points();
  points[empty] = psi::Mul(secret_.alpha, psi::HashMatchKey(db->params().db_nonce, planted_key)).value();
  db.reset();
  Republish(points);
  const DbAuditReport report = Audit();
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.bad_fillers, 1u);
  EXPECT_THAT(AllProblems(report), HasSubstr("planted filler: slot " + std::to_string(empty)));
  EXPECT_TRUE(report.proof_verified);
}

// The seed in the proof must open the header's commitment; a publisher cannot hand auditors
// another seed (say, one whose fillers it could explain differently) for the same DB.
TEST_F(DbAuditTest, FillerSeedThatDoesNotOpenTheCommitmentFails) {
  Publish(set_);
  auto proof = LoadDbProof(proof_path()).value();
  proof.filler_seed[5] ^= 0x10;
  ASSERT_TRUE(SaveDbProof(proof, proof_path()).ok());
  const DbAuditReport report = Audit();
  EXPECT_FALSE(report.passed());
  EXPECT_FALSE(report.filler_seed_matches);
  EXPECT_FALSE(report.proof_verified);
  EXPECT_EQ(report.fillers_checked, 0u);
  EXPECT_THAT(AllProblems(report), HasSubstr("filler seed does not match"));
  EXPECT_EQ(report.problems.size(), 1u) << AllProblems(report);
}

TEST_F(DbAuditTest, ProofOfAnotherDbFails) {
  Publish(set_);
  const auto old_proof = ReadAll(proof_path());
  Publish(set_, 22);  // same set, new nonce: another DB
  auto db = ClientDb::Load(db_path(), publisher_.public_key).value();
  WriteAll(proof_path(), old_proof);
  auto report = AuditClientDb(set_, HeldLoader(), *db, LoadDbProof(proof_path()).value(), 1);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->passed());
  EXPECT_THAT(AllProblems(*report), HasSubstr("another DB"));
}

}  // namespace
}  // namespace hashveil::hashdb
