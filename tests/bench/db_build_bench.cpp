// Publishing a client DB at scale (docs/design.md sections 5 and 6). Prints figures, asserts
// nothing.
//
//   db_build_bench pipeline N [THREADS]   two generated lists of N hashes (half of the second
//       within distance 1..31 of the first) -> import -> policy -> keys -> blinding -> the
//       3-cell table -> write -> auditor proof; then Load of the DB and its audit; seconds per
//       phase, blinding entries/s per CPU-second, bytes per entry, peak RSS.
//   db_build_bench okvs N [TRIALS]        how often N random keys fail to peel, over TRIALS
//       attempts, at the builder's cell count and at ratios around the threshold (no points).
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "client_db_format.h"
#include "okvs.h"
#include "phase_timer.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/db_audit.h"
#include "hashveil/hashdb/db_builder.h"
#include "hashveil/hashdb/source_store.h"
#include "support/synthetic_hashes.h"

namespace hashveil::hashdb {
namespace {

namespace fs = std::filesystem;

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

int Fail(const char* what, const Status& status) {
  std::fprintf(stderr, "db_build_bench: %s: %s\n", what, status.ToString().c_str());
  return 1;
}

int Pipeline(std::size_t count, unsigned threads) {
  std::string pattern = (fs::temp_directory_path() / "hv-db-build-bench-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return Fail("temporary directory", Status::IoError(""));
  const fs::path dir = pattern;
  if (!testing::WriteOverlappingHashLists(dir / "us.csv", dir / "gb.csv", count, 1)) {
    return Fail("writing the hash lists", Status::IoError(""));
  }
  std::printf("lists: 2 x %zu hashes, %zu of the second within distance 1..31 of the first\n",
              count, count / 2);
  PhaseTimer watch;
  auto store = SourceStore::Open(dir / "store.sqlite");
  if (!store.ok()) return Fail("opening the store", store.status());
  for (const auto& [name, jurisdiction] : {std::pair{"us", "US"}, std::pair{"gb", "GB"}}) {
    auto imported = (*store)->ImportHashList({name, name, jurisdiction},
                                             dir / (std::string(name) + ".csv"), {});
    if (!imported.ok()) return Fail("import", imported.status());
  }
  const PhaseTimer::Lap import = watch.Next();
  auto set = (*store)->ComputeIncludedSet(InclusionPolicy{}, {});
  if (!set.ok()) return Fail("policy", set.status());
  const std::vector<PublishedEntry>& entries = set->entries;
  const PhaseTimer::Lap policy = watch.Next();
  const double rss_after_policy = PeakRssMiB();

  auto random = MakeSystemRandom();
  const ServerSecret secret = GenerateServerSecret(*random);
  const PublisherKeyPair publisher = GeneratePublisherKeys(*random);
  DbBuildOptions options;
  options.threads = threads;
  auto built = BuildClientDb(entries, options, secret, publisher, *random, dir / "client.hvdb",
                             dir / "client.hvdb.proof");
  if (!built.ok()) return Fail("build", built.status());
  const PhaseTimer::Lap build = watch.Next();
  const DbBuildStats& s = built->stats;
  const double rss_after_build = PeakRssMiB();

  auto db = ClientDb::Load(dir / "client.hvdb", publisher.public_key);
  if (!db.ok()) return Fail("load", db.status());
  const PhaseTimer::Lap load = watch.Next();
  auto proof = LoadDbProof(dir / "client.hvdb.proof");
  if (!proof.ok()) return Fail("proof load", proof.status());
  auto audit = AuditClientDb(entries, {}, **db, *proof, threads);
  if (!audit.ok()) return Fail("audit", audit.status());
  const PhaseTimer::Lap audit_lap = watch.Next();

  std::printf("entries: %llu (keys %llu, duplicates %llu), cells %llu, okvs attempts %u, "
              "threads %u\n",
              static_cast<unsigned long long>(s.entries),
              static_cast<unsigned long long>(s.placed_keys),
              static_cast<unsigned long long>(s.duplicate_keys),
              static_cast<unsigned long long>(s.cell_count), s.okvs_attempts, s.threads);
  std::printf("import:    %7.2f s wall, %6.2f s CPU (%.0f rows/s)\n", import.wall_seconds,
              import.cpu_seconds, static_cast<double>(2 * count) / import.wall_seconds);
  std::printf("policy:    %7.2f s wall, %6.2f s CPU\n", policy.wall_seconds, policy.cpu_seconds);
  std::printf("blinding:  %7.2f s wall, %6.2f s CPU (%.0f entries/s per CPU-second)\n",
              s.blinding_seconds, s.blinding_cpu_seconds,
              static_cast<double>(s.entries) / s.blinding_cpu_seconds);
  std::printf("table:     %7.2f s wall (plan, solve, fillers, encoding)\n", s.table_seconds);
  std::printf("write:     %7.2f s wall\n", s.write_seconds);
  std::printf("proof:     %7.2f s wall, %6.2f s CPU\n", s.proof_seconds, s.proof_cpu_seconds);
  std::printf("total:     %7.2f s wall, %6.2f s CPU (import to proof; build alone %.2f s wall, "
              "%.2f s CPU)\n",
              import.wall_seconds + policy.wall_seconds + build.wall_seconds,
              import.cpu_seconds + policy.cpu_seconds + build.cpu_seconds,
              build.wall_seconds, build.cpu_seconds);
  std::printf("db size:   %llu bytes, %.1f bytes per entry; proof %llu bytes\n",
              static_cast<unsigned long long>(s.db_bytes),
              static_cast<double>(s.db_bytes) / static_cast<double>(s.entries),
              static_cast<unsigned long long>(s.proof_bytes));
  std::printf("load:      %7.2f s wall, %6.2f s CPU (mmap, digest, signature, point validation, "
              "distinctness)\n",
              load.wall_seconds, load.cpu_seconds);
  std::printf("audit:     %7.2f s wall, %6.2f s CPU (%s; policy recomputation not included)\n",
              audit_lap.wall_seconds, audit_lap.cpu_seconds, audit->passed() ? "pass" : "FAIL");
  std::printf("peak rss:  %.0f MiB after policy, %.0f MiB after build, %.0f MiB after load\n",
              rss_after_policy, rss_after_build, PeakRssMiB());
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}

// Peeling failures of N random keys over TRIALS attempts (each attempt hashes the keys to new
// cells), at the builder's cell count and at plain ratios around the threshold 1.222.
int Okvs(std::size_t count, std::uint32_t trials) {
  std::mt19937_64 rng(7);
  std::vector<matcher::MatchKey> keys(count);
  for (auto& key : keys) {
    for (std::size_t i = 1; i < 9; ++i) key[i] = static_cast<std::uint8_t>(rng());
  }
  psi::DbNonce nonce{};
  nonce.fill(9);
  const auto multiple_of_3 = [](double cells) {
    return (static_cast<std::uint64_t>(std::ceil(cells)) + 2) / 3 * 3;
  };
  const double n = static_cast<double>(count);
  const std::pair<const char*, std::uint64_t> settings[] = {
      {"OkvsCellCount", OkvsCellCount(count)}, {"1.22 n", multiple_of_3(1.22 * n)},
      {"1.23 n", multiple_of_3(1.23 * n)},     {"1.25 n", multiple_of_3(1.25 * n)}};
  for (const auto& [name, cells] : settings) {
    PhaseTimer watch;
    std::uint32_t failed = 0;
    for (std::uint32_t attempt = 0; attempt < trials; ++attempt) {
      auto plan = PlanOkvs(keys, nonce, attempt, cells, 0);
      if (plan.ok()) continue;
      if (plan.status().code() != StatusCode::kFailedPrecondition) {
        return Fail("plan", plan.status());
      }
      ++failed;
    }
    std::printf("n=%zu %-13s cells %llu (%.4f n): %u of %u attempts do not peel (%.2e), "
                "%.3f s per plan, db %.2f bytes per key\n",
                count, name, static_cast<unsigned long long>(cells),
                static_cast<double>(cells) / n, failed, trials,
                static_cast<double>(failed) / trials, watch.Next().wall_seconds / trials,
                static_cast<double>(ClientDbFileBytes(cells)) / n);
  }
  return 0;
}

}  // namespace
}  // namespace hashveil::hashdb

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const std::size_t count = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1'000'000;
  if (mode == "pipeline" && count > 0) {
    const unsigned threads = argc > 3 ? static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10)) : 0;
    return hashveil::hashdb::Pipeline(count, threads);
  }
  if (mode == "okvs" && count > 0) {
    const auto trials = static_cast<std::uint32_t>(argc > 3 ? std::strtoul(argv[3], nullptr, 10)
                                                             : 100);
    return hashveil::hashdb::Okvs(count, trials);
  }
  std::fprintf(stderr, "usage: db_build_bench pipeline [N] [THREADS] | okvs [N] [TRIALS]\n");
  return 2;
}
