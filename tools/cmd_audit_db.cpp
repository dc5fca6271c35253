// `hashveil audit db --store S.sqlite --db client.hvdb [--proof client.hvdb.proof]
//  [--publisher publisher.key.pub]` (docs/design.md sections 6 and 9; docs/audit.md).
//
// Recomputes the inclusion policy recorded in the DB header from the source store, as the store
// was when the DB's epoch was published (the revision the publication recorded; the store as it
// is now when it has no such record, and the report says which), and checks that the DB holds
// exactly that set (hashdb::AuditClientDb: the proof's keys against the set, the DLEQ proof,
// and the table recomputed cell by cell), without the server secret. When the store recorded
// the publication, also checks that its record (the entries the server verifies matches
// against) is that set. Prints the input, counts and a verdict; every problem is a `FAIL: ...`
// line on stdout naming the hashes and sources involved. Exit 0 when the DB passes, 1 otherwise.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "db_report.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/db_audit.h"
#include "hashveil/hashdb/source_store.h"
#include "progress_bar.h"

namespace hashveil::tools {
namespace {

struct AuditDbArgs {
  std::string store;
  std::string db;
  std::string proof;
  std::string publisher;
  unsigned threads = 0;
};

// A (done, total) callback drawing a bar created on its first call.
hashdb::ProgressCallback BarCallback(std::unique_ptr<ProgressBar>& bar, const char* label) {
  return [&bar, label](std::uint64_t done, std::uint64_t total) {
    if (!bar) bar = std::make_unique<ProgressBar>(label, total);
    bar->Update(done);
  };
}

// The DB, its signature checked when --publisher is given; errors say which file (by option).
Result<std::unique_ptr<hashdb::ClientDb>> LoadDb(const AuditDbArgs& args) {
  std::optional<hashdb::PublisherPublicKey> publisher;
  if (!args.publisher.empty()) {
    auto loaded = hashdb::LoadPublisherPublicKey(args.publisher);
    if (!loaded.ok()) return loaded.status().WithContext("publisher public key file (--publisher)");
    publisher = *loaded;
  }
  auto db = publisher ? hashdb::ClientDb::Load(args.db, *publisher)
                      : hashdb::ClientDb::LoadIgnoringSignature(args.db);
  if (!db.ok()) return db.status().WithContext("client DB (--db)");
  return db;
}

void PrintReport(const hashdb::DbAuditReport& r, std::uint32_t attempt) {
  auto print = [](const char* name, std::uint64_t value) {
    std::printf("%s: %llu\n", name, static_cast<unsigned long long>(value));
  };
  print("policy entries", r.expected_entries);
  print("policy keys", r.expected_keys);
  print("proven keys", r.proven_keys);
  print("extra keys", r.extra_keys);
  print("missing keys", r.missing_keys);
  std::printf("filler seed: %s\n", r.filler_seed_matches
                                       ? "matches the header's commitment"
                                       : "DOES NOT MATCH the header's commitment");
  std::printf("okvs attempt: %u (%s)\n", attempt,
              !r.filler_seed_matches ? "not checked"
              : r.attempt_is_first   ? "the first that peels and solves"
                                     : "NOT the first that peels and solves");
  print("cells checked", r.cells_checked);
  print("fillers checked", r.free_cells);
  print("cells differing", r.cells_differing);
  std::printf("dleq proof: %s\n", r.proof_verified ? "verified" : "FAILED");
}

// The store content the DB is audited against: as published, when the store recorded it.
struct AuditInput {
  std::optional<std::uint64_t> revision;  // none: the store as it is now
  std::string description;
  bool publication_recorded = false;
};

Result<AuditInput> ChooseInput(hashdb::SourceStore& store, const hashdb::ClientDb& db) {
  const std::uint64_t epoch = db.params().epoch;
  auto record = store.FindPublication(epoch);
  if (!record.ok()) {
    if (record.status().code() != StatusCode::kNotFound) return record.status();
    return AuditInput{std::nullopt,
                      "the store as it is now (it has no record of publishing epoch " +
                          std::to_string(epoch) + ")",
                      false};
  }
  if (record->digest != db.digest()) {
    return Status::FailedPrecondition("the store recorded epoch " + std::to_string(epoch) +
                                      " with another DB digest: this DB is not the one it "
                                      "published");
  }
  if (!record->revision) {
    return AuditInput{std::nullopt,
                      "the store as it is now (its record of epoch " + std::to_string(epoch) +
                          " predates the store's revision history)",
                      true};
  }
  return AuditInput{record->revision,
                    "the store as published at epoch " + std::to_string(epoch) + " (revision " +
                        std::to_string(*record->revision) + ")",
                    true};
}

// Every hash the store held at the audited revision, one entry each: names extra keys.
hashdb::InclusionPolicy EveryHeldHash() {
  return {.min_quality = 0, .min_sources = 1, .distinct_jurisdictions = false, .merge_distance = 0};
}

// The store's record of the publication (what the server's second stage verifies against) must
// be the set the audit recomputed. Returns the problems, naming up to a few hashes.
Result<std::vector<std::string>> CompareRecordedEntries(hashdb::SourceStore& store,
                                                        std::uint64_t epoch,
                                                        const hashdb::IncludedSet& set) {
  HV_ASSIGN_OR_RETURN(const auto recorded, store.LoadPublication(epoch));
  std::vector<std::string> problems;
  const auto describe = [](const hashdb::PublishedEntry& e) {
    std::string sources;
    for (const std::string& s : e.sources) sources += (sources.empty() ? "" : ", ") + s;
    return e.hash.ToHex() + " (quality " + std::to_string(e.quality) + ", sources " + sources + ")";
  };
  const std::size_t common = std::min(recorded.size(), set.entries.size());
  for (std::size_t i = 0; i < common && problems.size() < 5; ++i) {
    const auto& a = recorded[i];
    const auto& b = set.entries[i];
    if (a.hash != b.hash || a.quality != b.quality || a.sources != b.sources) {
      problems.push_back("recorded entry " + std::to_string(i) + " is " + describe(a) +
                         "; the policy's set has " + describe(b));
    }
  }
  if (recorded.size() != set.entries.size()) {
    problems.push_back("the store recorded " + std::to_string(recorded.size()) +
                       " entries for this epoch; the policy's set has " +
                       std::to_string(set.entries.size()));
  }
  return problems;
}

int RunAuditDb(const AuditDbArgs& args) {
  const std::string command = "audit db";
  auto db = LoadDb(args);
  if (!db.ok()) {
    PrintError(command, "FAIL: " + db.status().ToString());
    return kExitSomeFailed;
  }
  const std::filesystem::path proof_path =
      args.proof.empty() ? DefaultProofPath(args.db) : std::filesystem::path(args.proof);
  auto proof = hashdb::LoadDbProof(proof_path);
  if (!proof.ok()) {
    PrintError(command,
               "FAIL: proof file (--proof or DB.proof): " + proof.status().ToString());
    return kExitSomeFailed;
  }
  auto store = hashdb::SourceStore::OpenExisting(args.store);
  if (!store.ok()) {
    PrintError(command, "source store (--store): " + store.status().ToString());
    return kExitSomeFailed;
  }
  auto input = ChooseInput(**store, **db);
  if (!input.ok()) {
    PrintError(command, "FAIL: " + input.status().ToString());
    return kExitSomeFailed;
  }
  std::unique_ptr<ProgressBar> policy_bar, proof_bar;
  auto set = (*store)->ComputeIncludedSet(
      (*db)->params().policy, BarCallback(policy_bar, "inclusion policy"), input->revision);
  policy_bar.reset();
  if (!set.ok()) {
    PrintError(command, "inclusion policy: " + set.status().ToString());
    return kExitSomeFailed;
  }
  const auto load_held_hashes = [&]() -> Result<std::vector<hashdb::PublishedEntry>> {
    HV_ASSIGN_OR_RETURN(auto held,
                        (*store)->ComputeIncludedSet(EveryHeldHash(), {}, set->revision));
    return std::move(held.entries);
  };
  auto report = hashdb::AuditClientDb(set->entries, load_held_hashes, **db, *proof, args.threads,
                                      BarCallback(proof_bar, "dleq proof"));
  proof_bar.reset();
  if (!report.ok()) {
    PrintError(command, report.status().ToString());
    return kExitSomeFailed;
  }
  if (input->publication_recorded) {
    auto recorded = CompareRecordedEntries(**store, (*db)->params().epoch, *set);
    if (!recorded.ok()) {
      PrintError(command, "the store's record of the publication: " + recorded.status().ToString());
      return kExitSomeFailed;
    }
    for (std::string& problem : *recorded) report->problems.push_back(std::move(problem));
  }
  PrintDbDigest((*db)->digest());
  std::printf("signature: %s\n", args.publisher.empty() ? "not checked (no --publisher)"
                                                        : "verified");
  std::printf("input: %s\n", input->description.c_str());
  std::printf(
      "key scheme revision: %u (the header's: the policy's keys were derived by its rules)\n",
      (*db)->params().key_scheme.revision);
  PrintReport(*report, (*db)->params().okvs_attempt);
  for (const std::string& problem : report->problems) std::printf("FAIL: %s\n", problem.c_str());
  std::printf("verdict: %s\n", report->passed()
                                   ? "PASS: the DB holds exactly the policy's set"
                                   : "FAIL");
  return report->passed() ? kExitOk : kExitSomeFailed;
}

}  // namespace

void AddAuditDbCommand(CLI::App& app, int* exit_code) {
  CLI::App& audit = CommandGroup(app, "audit", "Audits: match thresholds, published DBs");
  auto args = std::make_shared<AuditDbArgs>();
  CLI::App* cmd = audit.add_subcommand(
      "db", "Check that a published client DB is exactly the policy's set (no secret needed)");
  cmd->add_option("--store", args->store, "Source store with the source lists (SQLite)")
      ->required();
  cmd->add_option("--db", args->db, "Client DB file (.hvdb)")->required();
  cmd->add_option("--proof", args->proof, "Auditor proof file (default: DB.proof)");
  cmd->add_option("--publisher", args->publisher,
                  "Publisher public key file; without it the signature is not checked");
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)");
  cmd->callback([args, exit_code] { *exit_code = RunAuditDb(*args); });
}

}  // namespace hashveil::tools
