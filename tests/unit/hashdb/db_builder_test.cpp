#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/db_builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "hashveil/hashdb/db_proof.h"
#include "okvs.h"
#include "publish_fixture.h"

namespace hashveil::hashdb {
namespace {

class DbBuilderTest : public testing::PublishTest {
 protected:
  // Builds into client.hvdb and client.hvdb.proof, removing the previous build's files first
  // (BuildClientDb itself never replaces a file).
  Result<DbBuildResult> Build(const std::vector<PublishedEntry>& entries,
                              const DbBuildOptions& options, std::uint64_t seed = 1) {
    std::filesystem::remove(dir_ / "client.hvdb");
    std::filesystem::remove(dir_ / "client.hvdb.proof");
    auto random = MakeSeededRandomForTesting(seed);
    return BuildClientDb(entries, options, secret_, publisher_, *random, dir_ / "client.hvdb",
                         dir_ / "client.hvdb.proof");
  }
};

// A published DB and proof are never replaced: a build whose DB or proof path exists is refused
// before any work, and the existing files keep their bytes.
TEST_F(DbBuilderTest, ExistingFilesAreNeverReplaced) {
  const auto entries = testing::RandomEntries(40, 3);
  ASSERT_TRUE(Build(entries, DbBuildOptions{}).ok());
  const auto db = ReadAll(dir_ / "client.hvdb");
  const auto proof = ReadAll(dir_ / "client.hvdb.proof");
  auto random = MakeSeededRandomForTesting(2);
  for (const auto& [db_path, proof_path] :
       {std::pair{dir_ / "client.hvdb", dir_ / "other.proof"},
        std::pair{dir_ / "other.hvdb", dir_ / "client.hvdb.proof"}}) {
    const auto again = BuildClientDb(entries, DbBuildOptions{}, secret_, publisher_, *random,
                                     db_path, proof_path);
    EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "other.hvdb"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "other.proof"));
  EXPECT_EQ(ReadAll(dir_ / "client.hvdb"), db);
  EXPECT_EQ(ReadAll(dir_ / "client.hvdb.proof"), proof);
}

// Format 3 keeps every key: the table is sized by OkvsCellCount and solved, never dropping one.
TEST_F(DbBuilderTest, EveryKeyIsInATableOfOkvsCellCountCells) {
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    auto built = Build(testing::RandomEntries(3000, seed), DbBuildOptions{}, seed);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    EXPECT_EQ(built->stats.placed_keys, 3000u);
    EXPECT_EQ(built->stats.dropped_keys, 0u) << seed;
    EXPECT_EQ(built->stats.cell_count, OkvsCellCount(3000));
    EXPECT_EQ(built->params.cell_count, OkvsCellCount(3000));
    EXPECT_GE(built->stats.okvs_attempts, 1u);
    EXPECT_EQ(built->params.okvs_attempt + 1, built->stats.okvs_attempts);
  }
}

// Every key decodes to alpha*H(key); every cell that is no key's pivot is the filler of the seed
// in the proof, which the header commits to.
TEST_F(DbBuilderTest, KeysDecodeToTheirBlindedPointsAndFreeCellsHoldTheirFillers) {
  const auto entries = testing::RandomEntries(300, 1);
  DbBuildOptions options;
  options.epoch = 12;
  auto built = Build(entries, options);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(built->stats.entries, 300u);
  EXPECT_EQ(built->stats.placed_keys, 300u);
  EXPECT_EQ(built->stats.db_bytes, std::filesystem::file_size(dir_ / "client.hvdb"));

  auto db = ClientDb::Load(dir_ / "client.hvdb", publisher_.public_key);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const ClientDbParams& params = (*db)->params();
  EXPECT_EQ((*db)->digest(), built->digest);
  EXPECT_EQ(params.epoch, 12u);
  EXPECT_EQ(params.public_point, secret_.public_point());
  EXPECT_EQ(params.entry_count, 300u);
  EXPECT_EQ(params.key_count, 300u);

  std::vector<matcher::MatchKey> keys;
  for (const PublishedEntry& entry : entries) {
    const auto key = matcher::BaseKeys(entry.hash, params.key_scheme).at(0);
    keys.push_back(key);
    auto value = (*db)->ProbeValue(key);
    ASSERT_TRUE(value.ok()) << value.status().ToString();
    EXPECT_EQ(value->Encode(),
              psi::Mul(secret_.alpha, psi::HashMatchKey(params.db_nonce, key)).value());
  }
  std::sort(keys.begin(), keys.end());
  auto plan = PlanOkvs(keys, params.db_nonce, params.okvs_attempt, params.cell_count, 1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto proof = LoadDbProof(dir_ / "client.hvdb.proof");
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_EQ(CommitToFillerSeed(proof->filler_seed), params.filler_seed_commitment);
  std::uint64_t free_cells = 0;
  for (std::uint64_t i = 0; i < params.cell_count; ++i) {
    if (plan->is_pivot[i]) continue;
    ++free_cells;
    EXPECT_EQ((*db)->cell(i), psi::FillerPoint(proof->filler_seed, i)) << i;
  }
  EXPECT_EQ(free_cells, params.cell_count - 300);
}

// Issue 15: with the seed, a device could recompute the fillers and tell, offline, which cells
// hold no key's value. The file devices get must not hold it.
TEST_F(DbBuilderTest, TheDbHoldsTheFillerSeedsCommitmentAndOnlyTheProofHoldsTheSeed) {
  auto built = Build(testing::RandomEntries(40, 6), DbBuildOptions{});
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  auto proof = LoadDbProof(dir_ / "client.hvdb.proof");
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  const auto& seed = proof->filler_seed;
  ASSERT_NE(seed, psi::FillerSeed{});
  const auto db = ReadAll(dir_ / "client.hvdb");
  EXPECT_EQ(std::search(db.begin(), db.end(), seed.begin(), seed.end()), db.end())
      << "the client DB contains the filler seed";
  const auto proof_bytes = ReadAll(dir_ / "client.hvdb.proof");
  EXPECT_NE(std::search(proof_bytes.begin(), proof_bytes.end(), seed.begin(), seed.end()),
            proof_bytes.end());
  EXPECT_EQ(built->params.filler_seed_commitment, CommitToFillerSeed(seed));
}

TEST_F(DbBuilderTest, ExpiryIsValidDaysAfterIssue) {
  const auto entries = testing::RandomEntries(20, 7);
  DbBuildOptions options;
  EXPECT_EQ(options.valid_days, 90u);
  options.issued_at = 1'800'000'000;
  options.valid_days = 30;
  auto built = Build(entries, options);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(built->params.expires_at, 1'800'000'000u + 30u * 86'400u);
  auto db = ClientDb::Load(dir_ / "client.hvdb", publisher_.public_key);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->params().expires_at, built->params.expires_at);

  // By default, 90 days from the system clock.
  const auto now = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                  std::chrono::system_clock::now().time_since_epoch())
                                                  .count());
  built = Build(entries, DbBuildOptions{});
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_GE(built->params.expires_at, now + 90 * 86'400);
  EXPECT_LE(built->params.expires_at, now + 90 * 86'400 + 600);
  EXPECT_TRUE(CheckClientDbFresh(built->params, now).ok());
  EXPECT_FALSE(CheckClientDbFresh(built->params, now + 91 * 86'400).ok());
}

TEST_F(DbBuilderTest, SharedBaseKeysAreStoredOnceAndCounted) {
  auto entries = testing::RandomEntries(50, 2);
  // A second hash that differs only outside the key's selected bits has the same base key.
  const matcher::KeyScheme scheme;
  const auto selected = matcher::SelectedPositions(scheme, 0);
  int outside = 0;
  while (std::find(selected.begin(), selected.end(), outside) != selected.end()) ++outside;
  PublishedEntry twin = entries[7];
  twin.hash.set_bit(outside, !twin.hash.bit(outside));
  entries.push_back(twin);
  auto built = Build(entries, DbBuildOptions{});
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(built->stats.entries, 51u);
  EXPECT_EQ(built->stats.duplicate_keys, 1u);
  EXPECT_EQ(built->params.key_count, 50u);
}

TEST_F(DbBuilderTest, SameSeedSameFileAndTheProofVerifies) {
  const auto entries = testing::RandomEntries(100, 3);
  DbBuildOptions options;
  options.issued_at = 1'800'000'000;  // the expiry is in the bytes: fix the clock
  auto first = Build(entries, options, 5);
  ASSERT_TRUE(first.ok());
  const auto bytes = ReadAll(dir_ / "client.hvdb");
  auto second = Build(entries, options, 5);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(ReadAll(dir_ / "client.hvdb"), bytes);
  auto third = Build(entries, options, 6);  // new nonce and filler seed
  ASSERT_TRUE(third.ok());
  EXPECT_NE(third->digest, first->digest);

  auto db = ClientDb::Load(dir_ / "client.hvdb", publisher_.public_key);
  auto proof = LoadDbProof(dir_ / "client.hvdb.proof");
  ASSERT_TRUE(db.ok() && proof.ok());
  EXPECT_EQ(proof->keys.size(), 100u);
  EXPECT_TRUE(VerifyDbProof(**db, *proof, 2, {}).ok());
}

TEST_F(DbBuilderTest, ReportsProgressPerPhase) {
  std::vector<BuildPhase> phases;
  std::uint64_t last_blinding = 0;
  auto random = MakeSeededRandomForTesting(1);
  auto built = BuildClientDb(testing::RandomEntries(3000, 4), DbBuildOptions{}, secret_,
                             publisher_, *random, dir_ / "c.hvdb", dir_ / "c.proof",
                             [&](BuildPhase phase, std::uint64_t done, std::uint64_t total) {
                               if (phases.empty() || phases.back() != phase) phases.push_back(phase);
                               if (phase == BuildPhase::kBlinding) {
                                 EXPECT_GE(done, last_blinding);
                                 EXPECT_LE(done, total);
                                 last_blinding = done;
                               }
                             });
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(phases, (std::vector{BuildPhase::kBlinding, BuildPhase::kTable, BuildPhase::kProof}));
  EXPECT_EQ(last_blinding, built->params.key_count);
}

TEST_F(DbBuilderTest, RefusesNoEntriesAndOptionsOutOfRange) {
  EXPECT_EQ(Build({}, DbBuildOptions{}).status().code(), StatusCode::kInvalidInput);
  const auto entries = testing::RandomEntries(5, 5);
  DbBuildOptions options;
  options.threshold = 1;
  EXPECT_EQ(Build(entries, options).status().code(), StatusCode::kInvalidInput);
  options = DbBuildOptions{};
  options.key_scheme.bits_per_key = 7;
  EXPECT_EQ(Build(entries, options).status().code(), StatusCode::kInvalidInput);
  for (std::uint32_t days : {0u, kMaxDbValidDays + 1}) {
    options = DbBuildOptions{};
    options.valid_days = days;
    EXPECT_EQ(Build(entries, options).status().code(), StatusCode::kInvalidInput) << days;
  }
  for (std::uint32_t revision : {0u, matcher::KeyScheme::kLatestRevision + 1}) {
    options = DbBuildOptions{};
    options.key_scheme.revision = revision;
    EXPECT_EQ(Build(entries, options).status().code(), StatusCode::kInvalidInput) << revision;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "client.hvdb"));
}

// The DB pins the options' key scheme revision (the latest by default) in format 4, so devices
// probe by the rules the publisher chose.
TEST_F(DbBuilderTest, TheDbPinsTheKeySchemeRevision) {
  const auto entries = testing::RandomEntries(50, 4);
  for (std::uint32_t revision = matcher::KeyScheme::kFirstRevision;
       revision <= matcher::KeyScheme::kLatestRevision; ++revision) {
    DbBuildOptions options;
    options.key_scheme.revision = revision;
    auto built = Build(entries, options);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    EXPECT_EQ(built->params.format_version, 4u);
    auto db = ClientDb::Load(dir_ / "client.hvdb", publisher_.public_key);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ((*db)->params().format_version, 4u);
    EXPECT_EQ((*db)->params().key_scheme.revision, revision);
  }
  auto built = Build(entries, DbBuildOptions{});
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(built->params.key_scheme.revision, matcher::KeyScheme::kLatestRevision);
}

}  // namespace
}  // namespace hashveil::hashdb
