// Publishing a client DB (docs/design.md sections 5 and 6): the policy's entries -> their distinct
// base match keys -> blinded with alpha -> solved into a 3-cell garbled cuckoo table, fillers in
// its free cells -> signed .hvdb, plus the auditor's proof file. The original hashes never enter
// either file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>

#include "hashveil/common/random.h"
#include "hashveil/common/status.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/hashdb/publication.h"

namespace hashveil::hashdb {

// Defaults (docs/parameters.md has the evidence): one table of 64 low-frequency bits, 48 probes
// (key scheme revision 2: some of them from the copy's gamma variants), one outer entry per
// probe; t = 18 distinct matching images, the smallest t at which the audit's validated
// false-match rate for its riskiest tenth of photos keeps an innocent account of 100,000 images
// a year under 1e-9 a year; 1% of an account's vouchers synthetic, at most 64.
inline constexpr std::uint32_t kDefaultDbValidDays = 90;
inline constexpr std::uint32_t kMaxDbValidDays = 3650;

struct DbBuildOptions {
  matcher::KeyScheme key_scheme;  // its revision (the latest by default) is pinned in the DB
  std::uint32_t threshold = 18;   // t
  std::uint32_t synthetic_rate_ppm = 10'000;
  std::uint32_t synthetic_max = 64;
  std::uint64_t epoch = 0;
  // The DB expires (ClientDbParams::expires_at) valid_days after issued_at. Devices stop using an
  // expired DB, so a publisher must ship a new one within that time; 90 days leaves a quarter
  // for a list update to reach every device while bounding how long a withheld DB is used.
  std::uint64_t issued_at = 0;             // Unix seconds; 0: now, by the system clock
  std::uint32_t valid_days = kDefaultDbValidDays;
  InclusionPolicy policy;                  // recorded in the header; the entries must follow it
  unsigned threads = 0;                    // 0: all hardware threads
};

struct DbBuildStats {
  std::uint64_t entries = 0;
  std::uint64_t base_keys = 0;        // entries * L
  std::uint64_t duplicate_keys = 0;   // base keys equal to another entry's, stored once
  std::uint64_t placed_keys = 0;      // the distinct base keys: every one is in the table
  std::uint64_t dropped_keys = 0;     // always 0 since DB format 3 (the table holds every key)
  std::uint64_t cell_count = 0;
  std::uint32_t okvs_attempts = 0;    // plans tried until the keys peeled (1 almost always)
  std::uint64_t db_bytes = 0;
  std::uint64_t proof_bytes = 0;
  unsigned threads = 0;
  double blinding_seconds = 0;  // wall clock
  double blinding_cpu_seconds = 0;  // summed over threads
  double table_seconds = 0;     // planning and solving the table
  double write_seconds = 0;
  double proof_seconds = 0;
  double proof_cpu_seconds = 0;
};

struct DbBuildResult {
  ClientDbParams params;
  Digest digest{};
  DbBuildStats stats;
};

enum class BuildPhase { kBlinding, kTable, kProof };
// (phase, done, total), called from the calling thread.
using BuildProgress = std::function<void(BuildPhase, std::uint64_t done, std::uint64_t total)>;

// Builds and writes `db_path` and `proof_path`. `random` supplies the DB nonce, the filler seed
// (its commitment goes into the DB, the seed into the proof) and the proof's commitment.
// kInvalidInput for no entries or options out of range (named); kFailedPrecondition when a file
// already exists at `db_path` or `proof_path` (a published DB or proof is never replaced, and
// nothing is written); kResourceExhausted when the keys peel under none of the 64
// attempts the format allows (never seen: docs/parameters.md); kIoError when a file cannot be written.
Result<DbBuildResult> BuildClientDb(std::span<const PublishedEntry> entries,
                                    const DbBuildOptions& options, const ServerSecret& secret,
                                    const PublisherKeyPair& publisher, RandomSource& random,
                                    const std::filesystem::path& db_path,
                                    const std::filesystem::path& proof_path,
                                    const BuildProgress& progress = {});

// The distinct base keys of `entries` under `scheme`, sorted, and how many base keys were
// duplicates of another's. Shared by the builder and the auditor, who must agree on the set.
struct DistinctKeys {
  std::vector<matcher::MatchKey> keys;
  std::uint64_t duplicates = 0;
};
DistinctKeys DistinctBaseKeys(std::span<const PublishedEntry> entries,
                              const matcher::KeyScheme& scheme);

}  // namespace hashveil::hashdb
