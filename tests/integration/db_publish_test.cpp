// Publishing a client DB through the real `hashveil` binary (docs/design.md sections 6 and 9):
// two overlapping hash lists -> keygen -> db build -> db info / db verify -> audit db, plus the
// failures a publisher or an attacker could cause.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <string>

#include "client_db_writer.h"
#include "hashveil/common/random.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/db_proof.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/hashdb/source_store.h"
#include "hashveil/matcher/match_keys.h"
#include "hashveil/matcher/pdq_hash.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "okvs.h"
#include "support/cli_runner.h"
#include "support/test_paths.h"

namespace hashveil {
namespace {

namespace fs = std::filesystem;

using testing::CliRun;
using testing::ReadTextFile;

class DbPublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hv_db_publish_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    WriteLists();
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliRun Run(const std::string& args) const {
    return testing::RunCli(HASHVEIL_BINARY, args, dir_ / "stderr");
  }
  std::string P(const char* name) const { return (dir_ / name).string(); }

  // Imports both lists and makes the keys; the `db build` command for them, without --out
  // (empty when keygen failed).
  std::string ImportKeygenAndBuildCommand() {
    Import(dir_ / "store.sqlite", "list-a", "US", dir_ / "a.txt");
    Import(dir_ / "store.sqlite", "list-b", "GB", dir_ / "b.csv");
    if (Run("keygen --secret " + P("server.key") + " --signing " + P("pub.key")).exit_code != 0) {
      return "";
    }
    return "db build --store " + P("store.sqlite") + " --secret " + P("server.key") +
           " --signing " + P("pub.key") + " --threads 2";
  }

  // List A: the real photos' hashes and 80 generated ones; list B: near-duplicates (6 bits
  // flipped: the same images, re-hashed) of the photos and of 50 generated hashes, and 30 of its
  // own. With two sources from distinct jurisdictions, the policy selects the photos of quality
  // >= 50 and the 50.
  void WriteLists() {
    auto random = MakeSeededRandomForTesting(2026);
    std::ofstream a(dir_ / "a.txt"), b(dir_ / "b.csv"), c(dir_ / "c.txt");
    b << "hash,quality\n";
    HV_REQUIRE_PINNED_PHOTOS(photos);
    for (const fs::path& photo : photos) {
      auto hashed = matcher::HashImageFile(photo);
      ASSERT_TRUE(hashed.ok()) << hashed.status().ToString();
      if (hashed->quality >= matcher::kPdqMinQuality) ++expected_entries_;
      matcher::PdqHash near = hashed->hash;
      for (int f = 0; f < 6; ++f) near.set_bit(41 * f + 3, !near.bit(41 * f + 3));
      a << hashed->hash.ToHex() << "\n";
      b << near.ToHex() << "," << hashed->quality << "\n";
    }
    for (int i = 0; i < 80; ++i) {
      matcher::PdqHash hash;
      for (auto& word : hash.words) word = static_cast<std::uint16_t>(random->NextU64());
      a << hash.ToHex() << "\n";
      if (i < 50) {
        matcher::PdqHash near = hash;
        for (int f = 0; f < 6; ++f) near.set_bit(37 * f + i % 7, !near.bit(37 * f + i % 7));
        b << near.ToHex() << ",90\n";
      } else if (i < 55) {
        c << hash.ToHex() << "\n";  // a third list that adds 5 entries to the policy's set
      }
    }
    for (int i = 0; i < 30; ++i) {
      matcher::PdqHash own;
      for (auto& word : own.words) word = static_cast<std::uint16_t>(random->NextU64());
      b << own.ToHex() << ",90\n";
    }
  }

  void Import(const fs::path& store, const char* name, const char* jurisdiction,
              const fs::path& file) {
    auto opened = hashdb::SourceStore::Open(store);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    hashdb::SourceInfo source;
    source.name = name;
    source.organisation = std::string("org-") + name;
    source.jurisdiction = jurisdiction;
    auto report = (*opened)->ImportHashList(source, file, hashdb::ImportOptions{});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
  }

  void KeygenAndBuild() {
    Import(dir_ / "store.sqlite", "list-a", "US", dir_ / "a.txt");
    Import(dir_ / "store.sqlite", "list-b", "GB", dir_ / "b.csv");
    const CliRun keygen = Run("keygen --secret " + P("server.key") + " --signing " + P("pub.key"));
    ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
    const CliRun build = Run("db build --store " + P("store.sqlite") + " --secret " +
                             P("server.key") + " --signing " + P("pub.key") + " --out " +
                             P("client.hvdb") + " --epoch 5 --threads 2");
    ASSERT_EQ(build.exit_code, 0) << build.err;
    build_out_ = build.out;
  }

  // The Unix time on the "expires at: N (date)" line of db build / db info output.
  static std::uint64_t ExpiresAt(const std::string& out) {
    const auto at = out.find("expires at: ");
    if (at == std::string::npos) return 0;
    return std::stoull(out.substr(at + 12));
  }

  fs::path dir_;
  std::string build_out_;
  int expected_entries_ = 50;
};

TEST_F(DbPublishTest, BuildInfoVerifyAndAuditAgree) {
  KeygenAndBuild();
  const std::string entries = std::to_string(expected_entries_);
  EXPECT_NE(build_out_.find("entries: " + entries + "\n"), std::string::npos) << build_out_;
  EXPECT_NE(build_out_.find("threshold t: 18\n"), std::string::npos) << build_out_;
  EXPECT_NE(build_out_.find("epoch: 5\n"), std::string::npos);
  const auto digest_at = build_out_.find("digest: ");
  ASSERT_NE(digest_at, std::string::npos);
  const std::string digest_line = build_out_.substr(digest_at, 8 + 64);
  EXPECT_TRUE(fs::exists(dir_ / "client.hvdb.proof"));

  const CliRun info = Run("db info " + P("client.hvdb"));
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find(digest_line), std::string::npos);
  EXPECT_NE(info.out.find("signature: not checked"), std::string::npos);
  EXPECT_EQ(info.out.find("verified"), std::string::npos);
  EXPECT_NE(info.out.find("format version: 4\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("key scheme revision: 2 ("), std::string::npos) << info.out;
  EXPECT_NE(build_out_.find("key scheme revision: 2 ("), std::string::npos) << build_out_;
  EXPECT_NE(info.out.find("keys dropped: 0\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("cells: "), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("okvs attempt: "), std::string::npos) << info.out;
  EXPECT_NE(build_out_.find("okvs attempts: "), std::string::npos) << build_out_;
  EXPECT_NE(info.out.find("freshness: current"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("filler seed commitment: "), std::string::npos) << info.out;
  // 90 days by default, from the build's clock.
  const std::uint64_t expires_at = ExpiresAt(info.out);
  const auto now = static_cast<std::uint64_t>(::time(nullptr));
  EXPECT_GT(expires_at, now + 89 * 86'400) << info.out;
  EXPECT_LE(expires_at, now + 90 * 86'400) << info.out;
  EXPECT_EQ(ExpiresAt(build_out_), expires_at);

  const CliRun verify = Run("db verify " + P("client.hvdb") + " --publisher " + P("pub.key.pub"));
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("verified: publisher signature"), std::string::npos);

  const CliRun audit = Run("audit db --store " + P("store.sqlite") + " --db " + P("client.hvdb") +
                           " --publisher " + P("pub.key.pub"));
  EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;
  EXPECT_NE(audit.out.find("policy entries: " + entries + "\n"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("verdict: PASS"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("filler seed: matches the header's commitment"), std::string::npos)
      << audit.out;
  EXPECT_NE(audit.out.find("key scheme revision: 2 ("), std::string::npos) << audit.out;
  for (const char* line : {"extra keys: 0\n", "missing keys: 0\n", "cells differing: 0\n",
                           "(the first that peels and solves)\n", "dleq proof: verified\n"}) {
    EXPECT_NE(audit.out.find(line), std::string::npos) << line << audit.out;
  }

  // The store keeps the published entries for the server's second stage.
  auto store = hashdb::SourceStore::Open(dir_ / "store.sqlite");
  ASSERT_TRUE(store.ok());
  auto published = (*store)->LoadPublication(5);
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  EXPECT_EQ(published->size(), static_cast<std::size_t>(expected_entries_));
}

TEST_F(DbPublishTest, TamperedDbAndForeignPublisherAreRefused) {
  KeygenAndBuild();
  {
    std::fstream db(dir_ / "client.hvdb", std::ios::in | std::ios::out | std::ios::binary);
    db.seekp(300);
    db.put('\x5a');
  }
  const CliRun verify = Run("db verify " + P("client.hvdb") + " --publisher " + P("pub.key.pub"));
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.err.find("REFUSED"), std::string::npos) << verify.err;
  EXPECT_EQ(verify.err.find(dir_.string()), std::string::npos) << "error names a path";
  const CliRun info = Run("db info " + P("client.hvdb"));
  EXPECT_EQ(info.exit_code, 1);

  const CliRun other = Run("keygen --secret " + P("other.key") + " --signing " + P("other.sig"));
  ASSERT_EQ(other.exit_code, 0);
  const CliRun rebuilt = Run("db build --store " + P("store.sqlite") + " --secret " +
                             P("server.key") + " --signing " + P("pub.key") + " --out " +
                             P("client2.hvdb") + " --epoch 6");
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  const CliRun foreign = Run("db verify " + P("client2.hvdb") + " --publisher " + P("other.sig.pub"));
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_NE(foreign.err.find("signature"), std::string::npos) << foreign.err;
}

// Issue 16, item 1: rebuilding an epoch the store has, two builds in one second, or an --out
// that names another DB never deletes or replaces a published DB or its proof.
TEST_F(DbPublishTest, APublishedDbIsNeverDestroyedOrReplaced) {
  KeygenAndBuild();  // epoch 5 at client.hvdb
  const auto db_bytes = ReadFileBytes(dir_ / "client.hvdb", 1 << 26).value();
  const auto proof_bytes = ReadFileBytes(dir_ / "client.hvdb.proof", 1 << 26).value();
  const std::string build = "db build --store " + P("store.sqlite") + " --secret " +
                            P("server.key") + " --signing " + P("pub.key") + " --threads 2";
  const CliRun same_epoch = Run(build + " --out " + P("again.hvdb") + " --epoch 5");
  EXPECT_EQ(same_epoch.exit_code, 1);
  EXPECT_NE(same_epoch.err.find("already published"), std::string::npos) << same_epoch.err;
  EXPECT_FALSE(fs::exists(dir_ / "again.hvdb"));
  const CliRun same_out = Run(build + " --out " + P("client.hvdb") + " --epoch 7");
  EXPECT_EQ(same_out.exit_code, 1);
  EXPECT_NE(same_out.err.find("--out names an existing file"), std::string::npos) << same_out.err;
  const CliRun same_proof = Run(build + " --out " + P("new.hvdb") + " --proof " +
                                P("client.hvdb.proof") + " --epoch 7");
  EXPECT_EQ(same_proof.exit_code, 1);
  EXPECT_FALSE(fs::exists(dir_ / "new.hvdb"));
  EXPECT_EQ(ReadFileBytes(dir_ / "client.hvdb", 1 << 26).value(), db_bytes);
  EXPECT_EQ(ReadFileBytes(dir_ / "client.hvdb.proof", 1 << 26).value(), proof_bytes);

  // Default epochs: two builds in the same second get two distinct epochs, both kept.
  const CliRun first = Run(build + " --out " + P("first.hvdb"));
  const CliRun second = Run(build + " --out " + P("second.hvdb"));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const CliRun first_info = Run("db info " + P("first.hvdb"));
  const CliRun second_info = Run("db info " + P("second.hvdb"));
  const auto epoch_line = [](const std::string& out) {
    const auto at = out.find("epoch: ");
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
  };
  EXPECT_FALSE(epoch_line(first_info.out).empty()) << first_info.out;
  EXPECT_NE(epoch_line(first_info.out), epoch_line(second_info.out));
  EXPECT_EQ(Run("audit db --store " + P("store.sqlite") + " --db " + P("first.hvdb") +
                " --proof " + P("first.hvdb.proof") + " --publisher " + P("pub.key.pub"))
                .exit_code,
            0);
}

// --key-revision picks the key scheme revision the DB pins (issue 12): db info and verify show
// it, and the audit recomputes the keys by it.
TEST_F(DbPublishTest, KeyRevisionIsPinnedShownAndAudited) {
  const std::string build = ImportKeygenAndBuildCommand();
  ASSERT_FALSE(build.empty());
  const CliRun first = Run(build + " --out " + P("r1.hvdb") + " --epoch 8 --key-revision 1");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("key scheme revision: 1 ("), std::string::npos) << first.out;
  for (const std::string& command :
       {"db info " + P("r1.hvdb"),
        "db verify " + P("r1.hvdb") + " --publisher " + P("pub.key.pub")}) {
    const CliRun info = Run(command);
    ASSERT_EQ(info.exit_code, 0) << command << info.err;
    EXPECT_NE(info.out.find("format version: 4\n"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("key scheme revision: 1 ("), std::string::npos) << info.out;
    // The existing key scheme line keeps its form (scripts read it).
    const matcher::KeyScheme defaults;
    EXPECT_NE(info.out.find("key scheme: tables L=" + std::to_string(defaults.tables) +
                            ", bits k=" + std::to_string(defaults.bits_per_key) +
                            ", probes P=" + std::to_string(defaults.probes) + ", seed 0\n"),
              std::string::npos)
        << info.out;
  }
  const CliRun audit = Run("audit db --store " + P("store.sqlite") + " --db " + P("r1.hvdb") +
                           " --publisher " + P("pub.key.pub"));
  EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;
  EXPECT_NE(audit.out.find("key scheme revision: 1 ("), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("verdict: PASS"), std::string::npos) << audit.out;

  for (const char* revision : {"0", "3", "x"}) {
    const CliRun bad = Run(build + " --out " + P("bad.hvdb") + " --key-revision " + revision);
    EXPECT_EQ(bad.exit_code, 2) << revision;
    EXPECT_NE(bad.err.find("--key-revision"), std::string::npos) << bad.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "bad.hvdb"));
  const CliRun help = Run("db build --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--key-revision"), std::string::npos) << help.out;
}

TEST_F(DbPublishTest, ValidDaysSetsTheSignedExpiry) {
  const std::string build = ImportKeygenAndBuildCommand();
  ASSERT_FALSE(build.empty());
  const auto now = static_cast<std::uint64_t>(::time(nullptr));
  const CliRun week = Run(build + " --out " + P("week.hvdb") + " --epoch 8 --valid-days 7");
  ASSERT_EQ(week.exit_code, 0) << week.err;
  const CliRun info = Run("db verify " + P("week.hvdb") + " --publisher " + P("pub.key.pub"));
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_GE(ExpiresAt(info.out), now + 7 * 86'400) << info.out;
  EXPECT_LE(ExpiresAt(info.out), now + 7 * 86'400 + 600) << info.out;
  for (const char* days : {"0", "3651", "-1"}) {
    EXPECT_EQ(Run(build + " --out " + P("bad.hvdb") + " --valid-days " + days).exit_code, 2)
        << days;
  }
}

TEST_F(DbPublishTest, AuditFailsWhenTheProofCarriesAnotherFillerSeed) {
  KeygenAndBuild();
  {
    // The filler seed follows the proof's magic, version and DB digest (docs/file-formats.md).
    std::fstream proof(dir_ / "client.hvdb.proof", std::ios::in | std::ios::out | std::ios::binary);
    proof.seekg(40);
    const char byte = static_cast<char>(proof.get());
    proof.seekp(40);
    proof.put(static_cast<char>(byte ^ 1));
  }
  const CliRun audit = Run("audit db --store " + P("store.sqlite") + " --db " + P("client.hvdb"));
  EXPECT_EQ(audit.exit_code, 1);
  EXPECT_NE(audit.out.find("filler seed: DOES NOT MATCH"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("FAIL: the proof's filler seed does not match"), std::string::npos)
      << audit.out;
  EXPECT_NE(audit.out.find("verdict: FAIL"), std::string::npos) << audit.out;
}

// An auditor with a store of their own (the same lists imported independently, and one more)
// has no record of the publication: the DB is audited against that store as it is, and each
// FAIL line names the hashes and sources involved.
TEST_F(DbPublishTest, AnAuditorsOwnStoreIsAuditedAsItIsAndFailuresNameTheHashes) {
  KeygenAndBuild();
  Import(dir_ / "auditor.sqlite", "list-a", "US", dir_ / "a.txt");
  Import(dir_ / "auditor.sqlite", "list-b", "GB", dir_ / "b.csv");
  Import(dir_ / "auditor.sqlite", "list-c", "FR", dir_ / "c.txt");  // five more entries
  const CliRun audit = Run("audit db --store " + P("auditor.sqlite") + " --db " + P("client.hvdb"));
  EXPECT_EQ(audit.exit_code, 1);
  EXPECT_NE(
      audit.out.find("input: the store as it is now (it has no record of publishing epoch 5)"),
      std::string::npos)
      << audit.out;
  EXPECT_NE(audit.out.find("verdict: FAIL"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("signature: not checked"), std::string::npos);
  // The five entries list-c adds are held by list-a too; each FAIL line names its hash.
  std::ifstream c_list(dir_ / "c.txt");
  std::string hash;
  int named = 0;
  while (std::getline(c_list, hash)) {
    named += audit.out.find(hash + " (sources list-a, list-c)") != std::string::npos;
  }
  EXPECT_EQ(named, 5) << audit.out;
  EXPECT_NE(audit.out.find("FAIL: missing key: the key of "), std::string::npos) << audit.out;
}

// A DB that encodes one key the policy leaves out: the publisher's store had one more list, which
// brings one more hash to two sources; the auditor's lists do not have it. The audit fails
// whether the proof lists the planted key (an extra key) or leaves it out (the table recomputed
// from the proof is not the DB's). Either way stderr names no hash.
TEST_F(DbPublishTest, APlantedKeyFailsTheAuditWhetherTheProofListsItOrNot) {
  std::string planted;
  std::getline(std::ifstream(dir_ / "c.txt"), planted);
  std::ofstream(dir_ / "planted.txt") << planted << "\n";
  Import(dir_ / "store.sqlite", "list-x", "FR", dir_ / "planted.txt");
  KeygenAndBuild();
  Import(dir_ / "auditor.sqlite", "list-a", "US", dir_ / "a.txt");
  Import(dir_ / "auditor.sqlite", "list-b", "GB", dir_ / "b.csv");
  const std::string audit_db = "audit db --store " + P("auditor.sqlite") + " --db " +
                               P("client.hvdb") + " --publisher " + P("pub.key.pub");
  CliRun audit = Run(audit_db);
  EXPECT_EQ(audit.exit_code, 1) << audit.out;
  EXPECT_NE(audit.out.find("extra keys: 1\n"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("FAIL: extra key: the table holds the key of " + planted +
                           " (sources list-a), which the policy leaves out"),
            std::string::npos)
      << audit.out;
  EXPECT_NE(audit.out.find("cells differing: 0\n"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("dleq proof: verified\n"), std::string::npos) << audit.out;
  EXPECT_EQ(audit.err.find(planted), std::string::npos) << audit.err;

  // The publisher re-proves the policy's keys only, with the real alpha, for the same DB.
  auto db = hashdb::ClientDb::LoadIgnoringSignature(dir_ / "client.hvdb");
  auto proof = hashdb::LoadDbProof(dir_ / "client.hvdb.proof");
  auto secret = hashdb::LoadServerSecret(dir_ / "server.key");
  ASSERT_TRUE(db.ok() && proof.ok() && secret.ok());
  const auto planted_key =
      matcher::BaseKeys(matcher::PdqHash::FromHex(planted).value(), (*db)->params().key_scheme);
  const auto at = std::find(proof->keys.begin(), proof->keys.end(), planted_key[0]);
  ASSERT_NE(at, proof->keys.end());
  proof->values.erase(proof->values.begin() + (at - proof->keys.begin()));
  proof->keys.erase(at);
  auto random = MakeSeededRandomForTesting(7);
  auto policy_only = hashdb::ProveDb(proof->db_digest, (*db)->params().db_nonce,
                                     proof->filler_seed, proof->keys, proof->values, *secret,
                                     *random, 1, {});
  ASSERT_TRUE(policy_only.ok()) << policy_only.status().ToString();
  ASSERT_TRUE(hashdb::SaveDbProof(*policy_only, dir_ / "client.hvdb.proof").ok());

  audit = Run(audit_db);
  EXPECT_EQ(audit.exit_code, 1) << audit.out;
  for (const char* line : {"extra keys: 0\n", "missing keys: 0\n", "dleq proof: verified\n",
                           "FAIL: cell ", "differs from the table recomputed from the proof",
                           "verdict: FAIL"}) {
    EXPECT_NE(audit.out.find(line), std::string::npos) << line << audit.out;
  }
  EXPECT_EQ(audit.out.find(planted), std::string::npos) << audit.out;
  EXPECT_EQ(audit.err.find(planted), std::string::npos) << audit.err;
}

// A publisher who solves the same keys under a later attempt than the first that works, and
// says so in the signed header, gets a table the audit recomputes exactly but still fails: the
// attempt must be the first, so placements cannot be chosen.
TEST_F(DbPublishTest, ATableSolvedUnderALaterAttemptFailsTheAudit) {
  KeygenAndBuild();
  auto db = hashdb::ClientDb::LoadIgnoringSignature(dir_ / "client.hvdb");
  auto proof = hashdb::LoadDbProof(dir_ / "client.hvdb.proof");
  auto secret = hashdb::LoadServerSecret(dir_ / "server.key");
  auto signing = hashdb::LoadPublisherKeys(dir_ / "pub.key");
  ASSERT_TRUE(db.ok() && proof.ok() && secret.ok() && signing.ok());
  hashdb::ClientDbParams params = (*db)->params();
  const std::uint32_t first = params.okvs_attempt;
  Result<std::vector<psi::Point>> cells = Status::Internal("no later attempt tried");
  while (!cells.ok() && ++params.okvs_attempt < hashdb::kMaxOkvsAttempts) {
    auto plan = hashdb::PlanOkvs(proof->keys, params.db_nonce, params.okvs_attempt,
                                 params.cell_count, 1);
    if (plan.ok()) cells = hashdb::SolveOkvs(*plan, proof->values, proof->filler_seed, 1);
  }
  ASSERT_TRUE(cells.ok()) << cells.status().ToString();
  db->reset();
  auto digest = hashdb::WriteClientDb(params, *cells, *signing, dir_ / "client.hvdb");
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  auto random = MakeSeededRandomForTesting(9);
  auto reproved = hashdb::ProveDb(*digest, params.db_nonce, proof->filler_seed, proof->keys,
                                  proof->values, *secret, *random, 1, {});
  ASSERT_TRUE(reproved.ok()) << reproved.status().ToString();
  ASSERT_TRUE(hashdb::SaveDbProof(*reproved, dir_ / "client.hvdb.proof").ok());

  // The publisher's store recorded the honest DB's digest for epoch 5: an auditor's own lists.
  Import(dir_ / "auditor.sqlite", "list-a", "US", dir_ / "a.txt");
  Import(dir_ / "auditor.sqlite", "list-b", "GB", dir_ / "b.csv");
  const CliRun audit = Run("audit db --store " + P("auditor.sqlite") + " --db " +
                           P("client.hvdb") + " --publisher " + P("pub.key.pub"));
  EXPECT_EQ(audit.exit_code, 1) << audit.out << audit.err;
  const std::string later = std::to_string(params.okvs_attempt);
  for (const std::string& line :
       {"okvs attempt: " + later + " (NOT the first that peels and solves)\n",
        "FAIL: the header's OKVS attempt " + later + " is not the first: attempt " +
            std::to_string(first) + " already peels and solves the proof's keys\n",
        std::string("cells differing: 0\n"), std::string("dleq proof: verified\n")}) {
    EXPECT_NE(audit.out.find(line), std::string::npos) << line << audit.out;
  }
}

// A proof of the previous format, or of another DB, is refused; neither is read as this DB's.
TEST_F(DbPublishTest, AnOlderProofOrOneForAnotherDbIsRefused) {
  KeygenAndBuild();
  const CliRun other = Run("db build --store " + P("store.sqlite") + " --secret " +
                           P("server.key") + " --signing " + P("pub.key") + " --out " +
                           P("other.hvdb") + " --epoch 6");
  ASSERT_EQ(other.exit_code, 0) << other.err;
  const std::string audit_db =
      "audit db --store " + P("store.sqlite") + " --db " + P("client.hvdb") + " --proof ";
  CliRun audit = Run(audit_db + P("other.hvdb.proof"));
  EXPECT_EQ(audit.exit_code, 1);
  EXPECT_NE(audit.out.find("FAIL: the proof is for another DB"), std::string::npos) << audit.out;

  {
    std::fstream proof(dir_ / "client.hvdb.proof",
                       std::ios::in | std::ios::out | std::ios::binary);
    proof.seekp(4);  // the format version, after the magic
    proof.put('\x02');
  }
  audit = Run(audit_db + P("client.hvdb.proof"));
  EXPECT_EQ(audit.exit_code, 1);
  EXPECT_NE(audit.err.find("unsupported DB proof version 2"), std::string::npos) << audit.err;
  EXPECT_EQ(audit.err.find(dir_.string()), std::string::npos) << audit.err;
  EXPECT_EQ(audit.out.find("verdict"), std::string::npos) << audit.out;
}

// The audit is reproducible: the publisher's store changes after publishing (a list is added, a
// hash removed), and the DB still audits against the store as it was when it was published.
TEST_F(DbPublishTest, TheAuditUsesTheStoreAsItWasWhenTheDbWasPublished) {
  KeygenAndBuild();  // epoch 5, from revision 2 (two imports)
  Import(dir_ / "store.sqlite", "list-c", "FR", dir_ / "c.txt");
  std::ifstream a_list(dir_ / "a.txt");
  std::string first_hash;
  std::getline(a_list, first_hash);
  const CliRun removed = Run("db remove --store " + P("store.sqlite") + " --source list-a --hash " +
                             first_hash + " --reason test");
  ASSERT_EQ(removed.exit_code, 0) << removed.err;

  const std::string audit_epoch_5 = "audit db --store " + P("store.sqlite") + " --db " +
                                    P("client.hvdb") + " --publisher " + P("pub.key.pub");
  CliRun audit = Run(audit_epoch_5);
  EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;
  EXPECT_NE(audit.out.find("input: the store as published at epoch 5 (revision 2)"),
            std::string::npos)
      << audit.out;

  // The next DB is built from the store as it is now, and audits against that revision.
  const CliRun next =
      Run("db build --store " + P("store.sqlite") + " --secret " + P("server.key") + " --signing " +
          P("pub.key") + " --out " + P("next.hvdb") + " --epoch 6 --threads 2");
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_NE(next.out.find("store revision: 4\n"), std::string::npos) << next.out;
  audit = Run("audit db --store " + P("store.sqlite") + " --db " + P("next.hvdb"));
  EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;
  EXPECT_NE(audit.out.find("(revision 4)"), std::string::npos) << audit.out;

  // The store's record of a publication is what the server verifies matches against: a record
  // that is not the policy's set fails the audit.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "store.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "UPDATE published_entries SET quality = 7 WHERE epoch = 5 AND ordinal = 0",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  audit = Run(audit_epoch_5);
  EXPECT_EQ(audit.exit_code, 1) << audit.out;
  EXPECT_NE(audit.out.find("FAIL: recorded entry 0 is "), std::string::npos) << audit.out;
}

// A mistyped --store is an error naming the option (never the path: error messages carry no
// user paths), and no file appears there.
TEST_F(DbPublishTest, AMistypedStoreIsAnErrorAndCreatesNoFile) {
  KeygenAndBuild();
  const std::string typo = P("stroe.sqlite");
  const CliRun audit = Run("audit db --store " + typo + " --db " + P("client.hvdb"));
  EXPECT_EQ(audit.exit_code, 1);
  EXPECT_NE(audit.err.find("source store (--store): not found: no such source store file"),
            std::string::npos)
      << audit.err;
  EXPECT_EQ(audit.err.find(typo), std::string::npos) << audit.err;
  const CliRun build = Run("db build --store " + typo + " --secret " + P("server.key") +
                           " --signing " + P("pub.key") + " --out " + P("x.hvdb"));
  EXPECT_EQ(build.exit_code, 1);
  EXPECT_NE(build.err.find("source store (--store): not found"), std::string::npos) << build.err;
  EXPECT_FALSE(fs::exists(typo));
  EXPECT_FALSE(fs::exists(dir_ / "x.hvdb"));
}

TEST_F(DbPublishTest, KeygenRefusesToOverwriteAndUsageErrorsExitTwo) {
  const CliRun first = Run("keygen --secret " + P("server.key") + " --signing " + P("pub.key"));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(fs::status(dir_ / "server.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(dir_ / "pub.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  const std::string key_before = ReadTextFile(dir_ / "server.key");
  const CliRun again = Run("keygen --secret " + P("server.key") + " --signing " + P("pub2.key"));
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(ReadTextFile(dir_ / "server.key"), key_before);
  EXPECT_FALSE(fs::exists(dir_ / "pub2.key"));
  EXPECT_EQ(Run("db build --store " + P("store.sqlite")).exit_code, 2);
  EXPECT_EQ(Run("db build --store s --secret s --signing s --out o --load 3").exit_code, 2);
  // The cuckoo table's options mean nothing to DB format 3: refused, saying so.
  for (const std::string option : {"--cuckoo-functions", "--load"}) {
    const CliRun old = Run("db build --store s --secret s --signing s --out o " + option + " 3");
    EXPECT_EQ(old.exit_code, 2) << option;
    const std::string reason = ": no longer used: DB format 3 has one table of 3-cell entries";
    EXPECT_NE(old.err.find(option + reason), std::string::npos) << old.err;
  }
}

}  // namespace
}  // namespace hashveil
