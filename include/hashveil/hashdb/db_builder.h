// Publishing a client DB (docs/design.md sections 5 and 6): the policy's entries -> their base
// match keys -> cuckoo table -> blinded with alpha, fillers in empty slots -> signed .hvdb, plus
// the auditor's proof file. The original hashes never enter either file.
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

// Defaults: one table of 64 low-frequency bits with 16 probes, two cuckoo functions at load
// 0.48: 32 outer entries per voucher, which keeps the device's voucher build under 10 ms and the
// server's open cost per voucher lowest, for about twice the DB bytes per entry of c = 3 at 0.9
// (docs/parameters.md has the evidence; k < 64 key-matches unrelated photos). t, p_syn and s_max
// stay provisional (t = 10 distinct matching images; 1% of an account's vouchers synthetic, at
// most 64): the audit's account-level tables show what t needs for a per-image rate, which no
// corpus at hand can bound.
inline constexpr std::uint32_t kDefaultDbValidDays = 90;
inline constexpr std::uint32_t kMaxDbValidDays = 3650;

struct DbBuildOptions {
  matcher::KeyScheme key_scheme;
  std::uint32_t cuckoo_functions = 2;
  double load = 0;                         // keys / slots in (0, 1]; 0: DefaultCuckooLoad(c)
  std::uint32_t threshold = 10;            // t
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

// The load at which c cuckoo functions place all but a negligible share of the keys: 0.48 for two
// (they fail past 0.5), 0.9 for three or more, 0.3 for one (plain hashing: collisions are drops).
double DefaultCuckooLoad(std::uint32_t cuckoo_functions);

struct DbBuildStats {
  std::uint64_t entries = 0;
  std::uint64_t base_keys = 0;        // entries * L
  std::uint64_t duplicate_keys = 0;   // base keys equal to another entry's, stored once
  std::uint64_t placed_keys = 0;
  std::uint64_t dropped_keys = 0;     // each one a false negative
  std::uint64_t slot_count = 0;
  std::uint64_t longest_eviction_walk = 0;
  std::uint64_t db_bytes = 0;
  std::uint64_t proof_bytes = 0;
  unsigned threads = 0;
  double placement_seconds = 0;  // wall clock
  double blinding_seconds = 0;
  double blinding_cpu_seconds = 0;  // summed over threads
  double write_seconds = 0;
  double proof_seconds = 0;
  double proof_cpu_seconds = 0;
};

struct DbBuildResult {
  ClientDbParams params;
  Digest digest{};
  DbBuildStats stats;
};

enum class BuildPhase { kPlacement, kBlinding, kProof };
// (phase, done, total), called from the calling thread.
using BuildProgress = std::function<void(BuildPhase, std::uint64_t done, std::uint64_t total)>;

// Builds and writes `db_path` and `proof_path`. `random` supplies the DB nonce, the filler seed
// (its commitment goes into the DB, the seed into the proof) and the proof's commitment.
// kInvalidInput for no entries or options out of range (named); kFailedPrecondition when a file
// already exists at `db_path` or `proof_path` (a published DB or proof is never replaced, and
// nothing is written); kIoError when a file cannot be written.
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
