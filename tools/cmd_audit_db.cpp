// `hashveil audit db --store S.sqlite --db client.hvdb [--proof client.hvdb.proof]
//  [--publisher publisher.key.pub]` (docs/design.md sections 6 and 9).
//
// Recomputes the inclusion policy recorded in the DB header from the auditor's source store and
// checks that the DB holds exactly that set (hashdb::AuditClientDb), without the server secret.
// Prints a verdict with counts; exit 0 when the DB passes, 1 naming each problem otherwise.
#include <cstdio>
#include <memory>
#include <string>

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

Result<std::unique_ptr<hashdb::ClientDb>> LoadDb(const AuditDbArgs& args) {
  if (args.publisher.empty()) return hashdb::ClientDb::LoadIgnoringSignature(args.db);
  auto publisher = hashdb::LoadPublisherPublicKey(args.publisher);
  if (!publisher.ok()) return publisher.status().WithContext("publisher public key file");
  return hashdb::ClientDb::Load(args.db, *publisher);
}

void PrintReport(const hashdb::DbAuditReport& r) {
  auto print = [](const char* name, std::uint64_t value) {
    std::printf("%s: %llu\n", name, static_cast<unsigned long long>(value));
  };
  print("policy entries", r.expected_entries);
  print("policy keys", r.expected_keys);
  print("proven keys", r.proven_keys);
  print("dropped keys", r.dropped_keys);
  print("extra keys", r.extra_keys);
  print("missing keys", r.missing_keys);
  print("misplaced keys", r.misplaced_keys);
  std::printf("filler seed: %s\n", r.filler_seed_matches
                                       ? "matches the header's commitment"
                                       : "DOES NOT MATCH the header's commitment");
  print("fillers checked", r.fillers_checked);
  print("bad fillers", r.bad_fillers);
  std::printf("dleq proof: %s\n", r.proof_verified ? "verified" : "FAILED");
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
    PrintError(command, "FAIL: proof file: " + proof.status().ToString());
    return kExitSomeFailed;
  }
  auto store = hashdb::SourceStore::Open(args.store);
  if (!store.ok()) {
    PrintError(command, "source store: " + store.status().ToString());
    return kExitSomeFailed;
  }
  std::unique_ptr<ProgressBar> policy_bar, filler_bar, proof_bar;
  auto set = (*store)->ComputeIncludedSet((*db)->params().policy,
                                          BarCallback(policy_bar, "inclusion policy"));
  policy_bar.reset();
  if (!set.ok()) {
    PrintError(command, "inclusion policy: " + set.status().ToString());
    return kExitSomeFailed;
  }
  auto report = hashdb::AuditClientDb(*set, **db, *proof, args.threads,
                                      BarCallback(filler_bar, "fillers"),
                                      BarCallback(proof_bar, "dleq proof"));
  filler_bar.reset();
  proof_bar.reset();
  if (!report.ok()) {
    PrintError(command, report.status().ToString());
    return kExitSomeFailed;
  }
  PrintDbDigest((*db)->digest());
  std::printf("signature: %s\n", args.publisher.empty() ? "not checked (no --publisher)"
                                                        : "verified");
  PrintReport(*report);
  for (const std::string& problem : report->problems) PrintError(command, problem);
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
