#include "hashveil/hashdb/db_builder.h"

#include <algorithm>
#include <chrono>

#include "blinding.h"
#include "client_db_format.h"
#include "client_db_writer.h"
#include "hashveil/hashdb/db_proof.h"
#include "okvs.h"
#include "parallel_for.h"
#include "phase_timer.h"

namespace hashveil::hashdb {
namespace {

Status CheckOptions(const DbBuildOptions& options) {
  HV_RETURN_IF_ERROR(options.key_scheme.Validate());
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

// Plans and solves the table, retrying under the next attempt when the keys do not peel or a
// cell comes out unusable; records the cell count and the attempt in `params`.
Result<std::vector<psi::Point>> SolveTable(std::span<const matcher::MatchKey> keys,
                                           std::span<const psi::Point> values,
                                           const psi::FillerSeed& filler_seed, unsigned threads,
                                           ClientDbParams& params, DbBuildStats& stats) {
  params.cell_count = OkvsCellCount(keys.size());
  for (std::uint32_t attempt = 0; attempt < kMaxOkvsAttempts; ++attempt) {
    stats.okvs_attempts = attempt + 1;
    auto plan = PlanOkvs(keys, params.db_nonce, attempt, params.cell_count, threads);
    if (!plan.ok() && plan.status().code() == StatusCode::kFailedPrecondition) continue;
    HV_RETURN_IF_ERROR(plan.status());
    auto cells = SolveOkvs(*plan, values, filler_seed, threads);
    if (!cells.ok() && cells.status().code() == StatusCode::kFailedPrecondition) continue;
    HV_RETURN_IF_ERROR(cells.status());
    params.okvs_attempt = attempt;
    return cells;
  }
  return Status::ResourceExhausted("the keys did not peel into a table in " +
                                   std::to_string(kMaxOkvsAttempts) + " attempts");
}

}  // namespace

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

  DistinctKeys distinct = DistinctBaseKeys(entries, options.key_scheme);
  stats.duplicate_keys = distinct.duplicates;
  params.key_count = distinct.keys.size();
  stats.placed_keys = params.key_count;

  HV_ASSIGN_OR_RETURN(std::vector<psi::Point> values,
                      BlindKeys(distinct.keys, params.db_nonce, secret.alpha, options.threads,
                                ForPhase(progress, BuildPhase::kBlinding)));
  const PhaseTimer::Lap blinding = timer.Next();
  stats.blinding_seconds = blinding.wall_seconds;
  stats.blinding_cpu_seconds = blinding.cpu_seconds;

  if (progress) progress(BuildPhase::kTable, 0, distinct.keys.size());
  HV_ASSIGN_OR_RETURN(const std::vector<psi::Point> cells,
                      SolveTable(distinct.keys, values, filler_seed, options.threads, params,
                                 stats));
  if (progress) progress(BuildPhase::kTable, distinct.keys.size(), distinct.keys.size());
  stats.cell_count = params.cell_count;
  stats.table_seconds = timer.Next().wall_seconds;

  HV_ASSIGN_OR_RETURN(result.digest,
                      WriteClientDb(params, cells, publisher, db_path, /*overwrite=*/false));
  stats.db_bytes = ClientDbFileBytes(params.cell_count);
  stats.write_seconds = timer.Next().wall_seconds;

  HV_ASSIGN_OR_RETURN(DbProof proof,
                      ProveDb(result.digest, params.db_nonce, filler_seed, std::move(distinct.keys),
                              std::move(values), secret, random, options.threads,
                              ForPhase(progress, BuildPhase::kProof)));
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
