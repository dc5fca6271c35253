#include "hashveil/hashdb/db_builder.h"

#include <algorithm>
#include <chrono>

#include "blinding.h"
#include "client_db_format.h"
#include "client_db_writer.h"
#include "cuckoo_table.h"
#include "hashveil/hashdb/db_proof.h"
#include "parallel_for.h"
#include "phase_timer.h"

namespace hashveil::hashdb {
namespace {

Status CheckOptions(const DbBuildOptions& options) {
  HV_RETURN_IF_ERROR(options.key_scheme.Validate());
  if (options.cuckoo_functions < 1 || options.cuckoo_functions > psi::kMaxCuckooFunctions) {
    return Status::InvalidInput("cuckoo functions must be 1.." +
                                std::to_string(psi::kMaxCuckooFunctions));
  }
  if (!(options.load >= 0.0 && options.load <= 1.0)) {
    return Status::InvalidInput("cuckoo load must be in (0, 1], or 0 for the default");
  }
  if (options.threshold < 2) return Status::InvalidInput("threshold must be at least 2");
  if (options.synthetic_rate_ppm > 1'000'000) {
    return Status::InvalidInput("synthetic rate must be at most 1");
  }
  if (options.valid_days < 1 || options.valid_days > kMaxDbValidDays) {
    return Status::InvalidInput("validity must be 1.." + std::to_string(kMaxDbValidDays) +
                                " days");
  }
  return Status::Ok();
}

std::uint64_t ExpiryTime(const DbBuildOptions& options) {
  const std::uint64_t issued_at =
      options.issued_at != 0
          ? options.issued_at
          : static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  return issued_at + std::uint64_t{options.valid_days} * 86'400;
}

ProgressCallback ForPhase(const BuildProgress& progress, BuildPhase phase) {
  if (!progress) return {};
  return [&progress, phase](std::uint64_t done, std::uint64_t total) {
    progress(phase, done, total);
  };
}

}  // namespace

double DefaultCuckooLoad(std::uint32_t cuckoo_functions) {
  if (cuckoo_functions >= 3) return 0.9;
  return cuckoo_functions == 2 ? 0.48 : 0.3;
}

DistinctKeys DistinctBaseKeys(std::span<const PublishedEntry> entries,
                              const matcher::KeyScheme& scheme) {
  DistinctKeys result;
  result.keys.reserve(entries.size() * scheme.tables);
  for (const PublishedEntry& entry : entries) {
    for (const matcher::MatchKey& key : matcher::BaseKeys(entry.hash, scheme)) {
      result.keys.push_back(key);
    }
  }
  std::sort(result.keys.begin(), result.keys.end());
  const auto last = std::unique(result.keys.begin(), result.keys.end());
  result.duplicates = static_cast<std::uint64_t>(result.keys.end() - last);
  result.keys.erase(last, result.keys.end());
  return result;
}

Result<DbBuildResult> BuildClientDb(std::span<const PublishedEntry> entries,
                                    const DbBuildOptions& options, const ServerSecret& secret,
                                    const PublisherKeyPair& publisher, RandomSource& random,
                                    const std::filesystem::path& db_path,
                                    const std::filesystem::path& proof_path,
                                    const BuildProgress& progress) {
  HV_RETURN_IF_ERROR(CheckOptions(options));
  if (entries.empty()) return Status::InvalidInput("no entries to publish");
  // Published files are never replaced: checked here, before the work, and again atomically
  // when each file is linked into place.
  std::error_code exists_error;
  if (std::filesystem::exists(std::filesystem::symlink_status(db_path, exists_error)) ||
      std::filesystem::exists(std::filesystem::symlink_status(proof_path, exists_error))) {
    return Status::FailedPrecondition(
        "a file exists where the client DB or its proof would go: published files are never "
        "replaced");
  }
  PhaseTimer timer;
  DbBuildResult result;
  DbBuildStats& stats = result.stats;
  stats.threads = ResolveThreadCount(options.threads);
  stats.entries = entries.size();
  stats.base_keys = entries.size() * options.key_scheme.tables;

  ClientDbParams& params = result.params;
  params.format_version = kClientDbFormatVersion;
  params.key_scheme = options.key_scheme;
  params.cuckoo_functions = options.cuckoo_functions;
  params.entry_count = entries.size();
  params.threshold = options.threshold;
  params.synthetic_rate_ppm = options.synthetic_rate_ppm;
  params.synthetic_max = options.synthetic_max;
  params.epoch = options.epoch;
  params.expires_at = ExpiryTime(options);
  params.policy = options.policy;
  params.public_point = secret.public_point();
  random.Fill(params.db_nonce);
  // The seed stays out of the DB: devices get its commitment, auditors the seed (in the proof).
  psi::FillerSeed filler_seed{};
  random.Fill(filler_seed);
  params.filler_seed_commitment = CommitToFillerSeed(filler_seed);

  const DistinctKeys distinct = DistinctBaseKeys(entries, options.key_scheme);
  stats.duplicate_keys = distinct.duplicates;
  const double load = options.load > 0 ? options.load : DefaultCuckooLoad(options.cuckoo_functions);
  params.slot_count = CuckooSlotCount(distinct.keys.size(), load, options.cuckoo_functions);
  if (progress) progress(BuildPhase::kPlacement, 0, distinct.keys.size());
  HV_ASSIGN_OR_RETURN(CuckooPlacement placement,
                      PlaceKeys(distinct.keys, params.db_nonce, params.slot_count,
                                options.cuckoo_functions, options.threads));
  if (progress) progress(BuildPhase::kPlacement, distinct.keys.size(), distinct.keys.size());
  params.dropped_key_count = placement.dropped_keys.size();
  params.key_count = distinct.keys.size() - placement.dropped_keys.size();
  stats.placed_keys = params.key_count;
  stats.dropped_keys = params.dropped_key_count;
  stats.slot_count = params.slot_count;
  stats.longest_eviction_walk = placement.max_walk;
  stats.placement_seconds = timer.Next().wall_seconds;

  HV_ASSIGN_OR_RETURN(BlindedTable table,
                      BlindTable(distinct.keys, placement, params.db_nonce, filler_seed,
                                 secret.alpha, options.threads,
                                 ForPhase(progress, BuildPhase::kBlinding)));
  const PhaseTimer::Lap blinding = timer.Next();
  stats.blinding_seconds = blinding.wall_seconds;
  stats.blinding_cpu_seconds = blinding.cpu_seconds;

  HV_ASSIGN_OR_RETURN(result.digest,
                      WriteClientDb(params, table.points, publisher, db_path, /*overwrite=*/false));
  stats.db_bytes = ClientDbFileBytes(params.slot_count);
  stats.write_seconds = timer.Next().wall_seconds;

  std::vector<ProvenKey> proven;
  proven.reserve(params.key_count);
  for (std::uint64_t slot = 0; slot < params.slot_count; ++slot) {
    const std::uint32_t key = placement.slot_key[slot];
    if (key != CuckooPlacement::kEmptySlot) proven.push_back({slot, distinct.keys[key]});
  }
  HV_ASSIGN_OR_RETURN(DbProof proof,
                      ProveDb(result.digest, params.db_nonce, filler_seed, std::move(proven),
                              secret, random, options.threads,
                              ForPhase(progress, BuildPhase::kProof), table.key_points));
  if (Status saved = SaveDbProof(proof, proof_path, /*overwrite=*/false); !saved.ok()) {
    std::filesystem::remove(db_path, exists_error);  // ours: it did not exist before
    return saved;
  }
  std::error_code ec;
  stats.proof_bytes = std::filesystem::file_size(proof_path, ec);
  const PhaseTimer::Lap proving = timer.Next();
  stats.proof_seconds = proving.wall_seconds;
  stats.proof_cpu_seconds = proving.cpu_seconds;
  return result;
}

}  // namespace hashveil::hashdb
