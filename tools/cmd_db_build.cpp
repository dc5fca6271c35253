// `hashveil db build --store S.sqlite --secret server.key --signing publisher.key
//  --out client.hvdb [options]` (docs/design.md sections 5, 6 and 9).
//
// Applies the inclusion policy to the source store, blinds the entries' base match keys with the
// server secret, solves them into the 3-cell table (docs/protocol.md section 5), writes the
// signed client DB and, beside it, the auditor proof (client.hvdb.proof), then records the
// published entries under the DB's epoch in the store for the server's second-stage
// verification. Prints the parameters (the defaults included), entry and dropped-key counts (0
// since DB format 3), the table's cells and attempts, sizes and the digest.
//
// A published DB is never destroyed or replaced: an existing file at --out or at the proof's
// path is refused before any work, an --epoch the store already published is refused, and the
// default epoch is the current second or, when the store has published that one or a later one
// already, the next unused epoch (two builds in one second get two epochs).
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "commands.h"
#include "db_report.h"
#include "hashveil/hashdb/db_builder.h"
#include "hashveil/hashdb/source_store.h"
#include "progress_bar.h"

namespace hashveil::tools {
namespace {

struct DbBuildArgs {
  std::string store;
  std::string secret;
  std::string signing;
  std::string out;
  std::string proof;
  std::uint64_t epoch = 0;
  double synthetic_rate = 0.01;
  std::string unused;  // --cuckoo-functions and --load, which are refused
  hashdb::DbBuildOptions options;
};

const char* PhaseLabel(hashdb::BuildPhase phase) {
  switch (phase) {
    case hashdb::BuildPhase::kBlinding: return "blinding";
    case hashdb::BuildPhase::kTable: return "table";
    case hashdb::BuildPhase::kProof: return "auditor proof";
  }
  return "";
}

// One progress bar per build phase, replaced when the phase changes.
class PhaseBars {
 public:
  void Update(hashdb::BuildPhase phase, std::uint64_t done, std::uint64_t total) {
    if (!bar_ || phase != phase_) {
      bar_.reset();
      bar_ = std::make_unique<ProgressBar>(PhaseLabel(phase), total);
      phase_ = phase;
    }
    bar_->Update(done);
  }
  void Finish() { bar_.reset(); }

 private:
  hashdb::BuildPhase phase_ = hashdb::BuildPhase::kBlinding;
  std::unique_ptr<ProgressBar> bar_;
};

void PrintStats(const hashdb::DbBuildStats& s, double policy_seconds) {
  std::printf("base keys: %llu (%llu duplicates stored once)\n",
              static_cast<unsigned long long>(s.base_keys),
              static_cast<unsigned long long>(s.duplicate_keys));
  const double drop_rate = s.placed_keys + s.dropped_keys == 0
                               ? 0.0
                               : static_cast<double>(s.dropped_keys) /
                                     static_cast<double>(s.placed_keys + s.dropped_keys);
  std::printf("drop rate: %.2e (each drop is a false negative)\n", drop_rate);
  std::printf("db size: %llu bytes (%.1f bytes per entry)\n",
              static_cast<unsigned long long>(s.db_bytes),
              static_cast<double>(s.db_bytes) / static_cast<double>(s.entries));
  std::printf("proof size: %llu bytes\n", static_cast<unsigned long long>(s.proof_bytes));
  std::printf("okvs attempts: %u (plans tried until the keys peeled)\n", s.okvs_attempts);
  std::printf("time: inclusion policy %.2fs, placement %.2fs, blinding %.2fs (%.0f entries/s per "
              "CPU-second, %u threads), write %.2fs, proof %.2fs\n",
              policy_seconds, s.table_seconds, s.blinding_seconds,
              static_cast<double>(s.entries) / s.blinding_cpu_seconds, s.threads, s.write_seconds,
              s.proof_seconds);
}

// What the policy took from the store, and what it left out and why (docs/hashdb.md).
void PrintPolicyOutcome(const hashdb::IncludedSet& set) {
  const hashdb::InclusionCounts& c = set.counts;
  const auto n = [](std::uint64_t value) { return static_cast<unsigned long long>(value); };
  std::printf("store revision: %llu\n", n(set.revision));
  std::printf("policy: %llu hashes -> %llu entries; left out: %llu below the minimum quality, "
              "%llu in %llu entries held by too few sources; %llu near-duplicates merged into "
              "another hash's entry\n",
              n(c.hashes), n(set.entries.size()), n(c.below_min_quality),
              n(c.hashes_in_too_few_sources), n(c.too_few_sources), n(c.merged));
}

// The epoch to publish: `requested` unless the store already published it; by default the
// current second, or the store's latest published epoch + 1 when that is later.
Result<std::uint64_t> ChooseEpoch(hashdb::SourceStore& store, std::uint64_t requested) {
  if (requested != 0) {
    const auto published = store.LoadPublication(requested);
    if (published.ok()) {
      return Status::FailedPrecondition("epoch " + std::to_string(requested) +
                                        " was already published from this store: a published "
                                        "DB is never rebuilt; choose another --epoch");
    }
    if (published.status().code() != StatusCode::kNotFound) return published.status();
    return requested;
  }
  HV_ASSIGN_OR_RETURN(const std::optional<std::uint64_t> latest, store.LatestPublishedEpoch());
  const auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  return latest && *latest >= now ? *latest + 1 : now;
}

int RunDbBuild(DbBuildArgs& args) {
  const std::string command = "db build";
  auto secret = hashdb::LoadServerSecret(args.secret);
  if (!secret.ok()) {
    PrintError(command, "server secret file (--secret): " + secret.status().ToString());
    return kExitSomeFailed;
  }
  auto publisher = hashdb::LoadPublisherKeys(args.signing);
  if (!publisher.ok()) {
    PrintError(command, "publisher key file (--signing): " + publisher.status().ToString());
    return kExitSomeFailed;
  }
  auto store = hashdb::SourceStore::OpenExisting(args.store);
  if (!store.ok()) {
    PrintError(command, "source store (--store): " + store.status().ToString());
    return kExitSomeFailed;
  }
  auto epoch = ChooseEpoch(**store, args.epoch);
  if (!epoch.ok()) {
    PrintError(command, epoch.status().ToString());
    return kExitSomeFailed;
  }
  args.options.epoch = *epoch;
  args.options.synthetic_rate_ppm = static_cast<std::uint32_t>(args.synthetic_rate * 1e6 + 0.5);

  const auto policy_start = std::chrono::steady_clock::now();
  Result<hashdb::IncludedSet> set = [&] {
    std::unique_ptr<ProgressBar> bar;
    return (*store)->ComputeIncludedSet(
        args.options.policy, [&](std::uint64_t done, std::uint64_t total) {
          if (!bar) bar = std::make_unique<ProgressBar>("inclusion policy", total);
          bar->Update(done);
        });
  }();
  if (!set.ok()) {
    PrintError(command, "inclusion policy: " + set.status().ToString());
    return kExitSomeFailed;
  }
  const double policy_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - policy_start).count();
  PrintPolicyOutcome(*set);
  if (set->entries.empty()) {
    PrintError(command, "the policy selects no entries: nothing to publish");
    return kExitSomeFailed;
  }

  const std::filesystem::path proof_path =
      args.proof.empty() ? DefaultProofPath(args.out) : std::filesystem::path(args.proof);
  for (const auto& [option, path] : {std::pair<const char*, std::filesystem::path>{"--out", args.out},
                                     {"--proof", proof_path}}) {
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(path, ec))) {
      PrintError(command, std::string(option) + " names an existing file: a published DB or "
                                                "proof is never replaced; choose a new path");
      return kExitSomeFailed;
    }
  }
  auto random = MakeSystemRandom();
  PhaseBars bars;
  auto built = hashdb::BuildClientDb(
      set->entries, args.options, *secret, *publisher, *random, args.out, proof_path,
      [&](hashdb::BuildPhase phase, std::uint64_t done, std::uint64_t total) {
        bars.Update(phase, done, total);
      });
  bars.Finish();
  if (!built.ok()) {
    PrintError(command, built.status().ToString());
    return kExitSomeFailed;
  }
  // A DB the store has no record of could not be verified at the second stage: take it back.
  if (Status recorded = (*store)->RecordPublication(built->params.epoch, built->digest, *set);
      !recorded.ok()) {
    // Both files are this run's own (neither existed: BuildClientDb writes without replacing).
    std::error_code ec;
    std::filesystem::remove(args.out, ec);
    std::filesystem::remove(proof_path, ec);
    PrintError(command, "recording the publication: " + recorded.ToString() +
                            " (this run's DB and proof files were removed)");
    return kExitSomeFailed;
  }
  PrintDbParams(built->params);
  PrintStats(built->stats, policy_seconds);
  PrintDbDigest(built->digest);
  return kExitOk;
}

}  // namespace

void AddDbBuildCommand(CLI::App& app, int* exit_code) {
  CLI::App& db = CommandGroup(app, "db", "The hash database: import, build, inspect, verify");
  auto args = std::make_shared<DbBuildArgs>();
  hashdb::DbBuildOptions& o = args->options;
  CLI::App* cmd = db.add_subcommand(
      "build", "Apply the inclusion policy, blind, and write the signed client DB and its proof");
  cmd->add_option("--store", args->store, "Source store (SQLite)")->required();
  cmd->add_option("--secret", args->secret, "Server blinding secret file")->required();
  cmd->add_option("--signing", args->signing, "Publisher signing key file")->required();
  cmd->add_option("--out", args->out, "Client DB file to write")->required();
  cmd->add_option("--proof", args->proof, "Auditor proof file (default: OUT.proof)");
  cmd->add_option("--min-sources", o.policy.min_sources,
                  "Sources (from distinct jurisdictions) an entry needs")
      ->capture_default_str()->check(CLI::Range(1u, 1000u));
  cmd->add_option("--threshold", o.threshold, "Distinct matching images before anything opens (t)")
      ->capture_default_str()->check(CLI::Range(2u, 10000u));
  cmd->add_option("--tables", o.key_scheme.tables, "Match-key tables (L)")
      ->capture_default_str()->check(CLI::Range(1u, 64u));
  cmd->add_option("--bits", o.key_scheme.bits_per_key, "Bits per match key (k, multiple of 8)")
      ->capture_default_str()->check(CLI::Range(8u, 256u));
  cmd->add_option("--probes", o.key_scheme.probes, "Probe keys per image on the device (P)")
      ->capture_default_str()->check(CLI::Range(1u, 4096u));
  cmd->add_option("--key-revision", o.key_scheme.revision,
                  "Key scheme revision the DB pins: the rules devices derive probe keys by "
                  "(1: those of DB formats 1-3; 2: also probes from photometric variants)")
      ->capture_default_str()
      ->check(CLI::Range(matcher::KeyScheme::kFirstRevision, matcher::KeyScheme::kLatestRevision));
  // Options of DB formats 1 and 2, whose cuckoo table they sized: refused, saying why, so a
  // script that still passes them learns what changed instead of "unknown option".
  static constexpr const char* kNoLongerUsed =
      "no longer used: DB format 3 has one table of 3-cell entries";
  const CLI::Validator no_longer_used([](std::string&) { return std::string(kNoLongerUsed); },
                                      "");
  for (const char* option : {"--cuckoo-functions", "--load"}) {
    cmd->add_option(option, args->unused, kNoLongerUsed)
        ->check(no_longer_used)
        ->group("Refused (DB formats 1 and 2)");
  }
  cmd->add_option("--synthetic-rate", args->synthetic_rate, "Share of vouchers made synthetic (p_syn)")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--synthetic-max", o.synthetic_max, "Synthetic vouchers per account at most (s_max)")
      ->capture_default_str();
  cmd->add_option("--epoch", args->epoch, "DB epoch (default: the current Unix time)");
  cmd->add_option("--valid-days", o.valid_days,
                  "Days until the DB expires and devices stop using it (signed in the header)")
      ->capture_default_str()->check(CLI::Range(1u, hashdb::kMaxDbValidDays));
  cmd->add_option("--threads", o.threads, "Worker threads (default: all cores)");
  cmd->callback([args, exit_code] { *exit_code = RunDbBuild(*args); });
}

}  // namespace hashveil::tools
