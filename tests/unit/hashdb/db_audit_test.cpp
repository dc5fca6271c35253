#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/db_audit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "client_db_writer.h"
#include "hashveil/hashdb/db_builder.h"
#include "okvs.h"
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
  void Publish(const std::vector<PublishedEntry>& entries, std::uint64_t seed = 21,
               const DbBuildOptions& options = {}) {
    std::filesystem::remove(db_path());
    std::filesystem::remove(proof_path());
    auto random = MakeSeededRandomForTesting(seed);
    auto built =
        BuildClientDb(entries, options, secret_, publisher_, *random, db_path(), proof_path());
    ASSERT_TRUE(built.ok()) << built.status().ToString();
  }

  ClientDbParams Params() const {
    return ClientDb::LoadIgnoringSignature(db_path()).value()->params();
  }
  DbProof Proof() const { return LoadDbProof(proof_path()).value(); }
  std::vector<psi::Point> Cells() const {
    auto db = ClientDb::LoadIgnoringSignature(db_path()).value();
    std::vector<psi::Point> cells;
    for (std::uint64_t i = 0; i < db->params().cell_count; ++i) cells.push_back(db->cell(i));
    return cells;
  }
  psi::Point Blind(const matcher::MatchKey& key, const ServerSecret& secret) const {
    return psi::Mul(secret.alpha, psi::HashMatchKey(Params().db_nonce, key)).value();
  }

  // What a dishonest publisher holding alpha and the signing key can do: sign `cells` under
  // `params` and prove `keys` with `values` (as given: the prover does not check them) for the
  // new DB's digest, with the published filler seed.
  void Republish(const ClientDbParams& params, const std::vector<psi::Point>& cells,
                 std::vector<matcher::MatchKey> keys, std::vector<psi::Point> values) {
    const psi::FillerSeed seed = Proof().filler_seed;
    auto digest = WriteClientDb(params, cells, publisher_, db_path());
    ASSERT_TRUE(digest.ok()) << digest.status().ToString();
    auto random = MakeSeededRandomForTesting(22);
    auto reproved = ProveDb(*digest, params.db_nonce, seed, std::move(keys), std::move(values),
                            secret_, *random, 1, {});
    ASSERT_TRUE(reproved.ok()) << reproved.status().ToString();
    ASSERT_TRUE(SaveDbProof(*reproved, proof_path()).ok());
  }

  // The table `keys` and `values` solve to under `attempt` with the published seed.
  Result<std::vector<psi::Point>> Solve(std::span<const matcher::MatchKey> keys,
                                        std::span<const psi::Point> values,
                                        std::uint32_t attempt) const {
    const ClientDbParams params = Params();
    HV_ASSIGN_OR_RETURN(OkvsPlan plan,
                        PlanOkvs(keys, params.db_nonce, attempt, params.cell_count, 1));
    return SolveOkvs(plan, values, Proof().filler_seed, 1);
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
  EXPECT_TRUE(report.attempt_is_first);
  EXPECT_EQ(report.expected_entries, 60u);
  EXPECT_EQ(report.expected_keys, 60u);
  EXPECT_EQ(report.proven_keys, 60u);  // every key is in the table: no drops
  EXPECT_EQ(report.cells_checked, Params().cell_count);
  EXPECT_EQ(report.free_cells, Params().cell_count - 60);  // one pivot per key
  EXPECT_EQ(report.cells_differing, 0u);
  EXPECT_EQ(held_loads_, 0);  // nothing to name: the store's other hashes are never read
}

// The audit recomputes the set's keys by the header's key scheme, revision included: a DB of
// each revision passes.
TEST_F(DbAuditTest, ADbOfEachKeySchemeRevisionPasses) {
  for (std::uint32_t revision = matcher::KeyScheme::kFirstRevision;
       revision <= matcher::KeyScheme::kLatestRevision; ++revision) {
    DbBuildOptions options;
    options.key_scheme.revision = revision;
    Publish(set_, 21, options);
    ASSERT_EQ(Params().key_scheme.revision, revision);
    const DbAuditReport report = Audit();
    EXPECT_TRUE(report.passed()) << revision << ": " << AllProblems(report);
    EXPECT_EQ(report.missing_keys, 0u);
    EXPECT_EQ(report.extra_keys, 0u);
  }
}

// The publisher plants one key y* the policy leaves out: the table is solved for the set's keys
// and y*, with y*'s value alpha*H(y*), so devices would match it. A proof that lists y* too
// fails on the key set.
TEST_F(DbAuditTest, APlantedKeyTheProofListsFailsAsAnExtraKey) {
  const PublishedEntry left_out = testing::RandomEntries(1, 99)[0];
  auto with_extra = set_;
  with_extra.push_back(left_out);
  Publish(with_extra);
  // The finding names the hash the extra key belongs to when the store held it.
  held_ = {left_out};
  const DbAuditReport report = Audit();
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.extra_keys, 1u);
  EXPECT_THAT(AllProblems(report), HasSubstr("extra key: the table holds the key of " +
                                             left_out.hash.ToHex() + " (sources a, b)"));
  EXPECT_EQ(report.cells_differing, 0u);  // the table is what the proof says
  EXPECT_TRUE(report.proof_verified);
  EXPECT_EQ(held_loads_, 1);
  held_.clear();
  EXPECT_THAT(AllProblems(Audit()), HasSubstr("a key of no hash the store held"));
}

// The same planted table with a proof of the policy's keys only: the key sets and the DLEQ
// pass, so only the recomputed table can catch it. The proof's keys, values and seed solve to
// a table that is not the DB's: the cells y*'s equation moved differ.
TEST_F(DbAuditTest, APlantedKeyTheProofLeavesOutFailsOnTheCells) {
  const PublishedEntry left_out = testing::RandomEntries(1, 99)[0];
  auto with_extra = set_;
  with_extra.push_back(left_out);
  Publish(with_extra);
  const matcher::MatchKey planted = matcher::BaseKeys(left_out.hash, Params().key_scheme)[0];
  {
    auto db = ClientDb::Load(db_path(), publisher_.public_key).value();
    ASSERT_EQ(db->ProbeValue(planted).value().Encode(), Blind(planted, secret_));  // devices match
  }
  DbProof proof = Proof();
  const auto at = std::find(proof.keys.begin(), proof.keys.end(), planted) - proof.keys.begin();
  proof.keys.erase(proof.keys.begin() + at);
  proof.values.erase(proof.values.begin() + at);
  auto random = MakeSeededRandomForTesting(23);
  auto policy_only = ProveDb(proof.db_digest, Params().db_nonce, proof.filler_seed, proof.keys,
                             proof.values, secret_, *random, 1, {});
  ASSERT_TRUE(policy_only.ok());
  ASSERT_TRUE(SaveDbProof(*policy_only, proof_path()).ok());

  const DbAuditReport report = Audit();
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.extra_keys + report.missing_keys, 0u);
  EXPECT_TRUE(report.proof_verified);
  EXPECT_GE(report.cells_differing, 1u);
  EXPECT_THAT(AllProblems(report), HasSubstr("differs from the table recomputed from the proof"));
  EXPECT_THAT(AllProblems(report), ::testing::Not(HasSubstr(left_out.hash.ToHex())));
}

TEST_F(DbAuditTest, MissingKeyFails) {
  auto without_one = set_;
  without_one.erase(without_one.begin() + 17);
  Publish(without_one);
  const DbAuditReport report = Audit();
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.missing_keys, 1u);
  // Named with its hash and sources: the auditor can look it up in the lists.
  EXPECT_THAT(AllProblems(report), HasSubstr("missing key: the key of " + set_[17].hash.ToHex() +
                                             " (sources a, b) is not in the table"));
}

// A table solved with one value that is not alpha*H(key) (the key blinded with another alpha),
// proved with that value: the table is what the proof says, the key sets match, and only the
// DLEQ catches it.
TEST_F(DbAuditTest, AValueBlindedWithAnotherAlphaFailsTheDleq) {
  Publish(set_);
  DbProof proof = Proof();
  auto random = MakeSeededRandomForTesting(5);
  proof.values[9] = Blind(proof.keys[9], GenerateServerSecret(*random));
  const ClientDbParams params = Params();
  auto cells = Solve(proof.keys, proof.values, params.okvs_attempt);
  ASSERT_TRUE(cells.ok()) << cells.status().ToString();
  Republish(params, *cells, proof.keys, proof.values);
  const DbAuditReport report = Audit();
  EXPECT_FALSE(report.passed());
  EXPECT_FALSE(report.proof_verified);
  EXPECT_THAT(AllProblems(report), HasSubstr("foreign alpha"));
  EXPECT_EQ(report.extra_keys + report.missing_keys + report.cells_differing, 0u);
}

// A free cell replaced by alpha*H(x) for a key x of the publisher's choosing, re-signed and
// re-proved: exactly that cell differs from the recomputed table.
TEST_F(DbAuditTest, APlantedFillerFails) {
  Publish(set_);
  const ClientDbParams params = Params();
  const DbProof proof = Proof();
  auto plan = PlanOkvs(proof.keys, params.db_nonce, params.okvs_attempt, params.cell_count, 1);
  ASSERT_TRUE(plan.ok());
  const std::uint64_t free_cell =
      std::find(plan->is_pivot.begin(), plan->is_pivot.end(), false) - plan->is_pivot.begin();
  const auto chosen = matcher::BaseKeys(testing::RandomEntries(1, 123)[0].hash, params.key_scheme);
  auto cells = Cells();
  cells[free_cell] = Blind(chosen[0], secret_);
  Republish(params, cells, proof.keys, proof.values);
  const DbAuditReport report = Audit();
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.cells_differing, 1u);
  EXPECT_THAT(AllProblems(report),
              HasSubstr("cell " + std::to_string(free_cell) + " differs from the table"));
  EXPECT_THAT(AllProblems(report), HasSubstr("a free cell: not the seed's filler"));
  EXPECT_TRUE(report.proof_verified);
}

// The builder takes the first attempt that peels and solves. A table solved honestly under a
// later attempt, with the header saying so, fails: otherwise the publisher could choose among
// placements.
TEST_F(DbAuditTest, AnAttemptThatIsNotTheFirstFails) {
  Publish(set_);
  ClientDbParams params = Params();
  const std::uint32_t first = params.okvs_attempt;
  const DbProof proof = Proof();
  Result<std::vector<psi::Point>> cells = Status::Internal("none");
  std::uint32_t later = first;
  while (!cells.ok() && ++later < kMaxOkvsAttempts) cells = Solve(proof.keys, proof.values, later);
  ASSERT_TRUE(cells.ok());
  params.okvs_attempt = later;
  Republish(params, *cells, proof.keys, proof.values);
  const DbAuditReport report = Audit();
  EXPECT_FALSE(report.passed());
  EXPECT_FALSE(report.attempt_is_first);
  EXPECT_THAT(AllProblems(report),
              HasSubstr("the header's OKVS attempt " + std::to_string(later) +
                        " is not the first: attempt " + std::to_string(first) +
                        " already peels and solves"));
  EXPECT_EQ(report.cells_differing, 0u);  // the table itself is the later attempt's
  EXPECT_TRUE(report.proof_verified);
}

// The seed in the proof must open the header's commitment; a publisher cannot hand auditors
// another seed (say, one whose fillers it could explain differently) for the same DB.
TEST_F(DbAuditTest, FillerSeedThatDoesNotOpenTheCommitmentFails) {
  Publish(set_);
  auto proof = Proof();
  proof.filler_seed[5] ^= 0x10;
  ASSERT_TRUE(SaveDbProof(proof, proof_path()).ok());
  const DbAuditReport report = Audit();
  EXPECT_FALSE(report.passed());
  EXPECT_FALSE(report.filler_seed_matches);
  EXPECT_FALSE(report.proof_verified);
  EXPECT_EQ(report.cells_checked, 0u);
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
