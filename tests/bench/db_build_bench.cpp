// Publishing a client DB at scale (docs/design.md sections 5 and 6). Prints figures, asserts
// nothing.
//
//   db_build_bench pipeline N [THREADS]   two generated lists of N hashes (half of the second
//       within distance 1..31 of the first) -> import -> policy -> keys and cuckoo placement ->
//       blinding -> write -> auditor proof; then Load of the DB and its audit; seconds per
//       phase, blinding entries/s per CPU-second, bytes per entry, peak RSS.
//   db_build_bench cuckoo N               drop rates of the cuckoo placement of N random keys
//       for c = 2, 3, 4 at loads around each one's threshold (no blinding: placement only).
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cuckoo_table.h"
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

  std::printf("entries: %llu (keys placed %llu, dropped %llu, duplicates %llu), slots %llu, "
              "threads %u\n",
              static_cast<unsigned long long>(s.entries),
              static_cast<unsigned long long>(s.placed_keys),
              static_cast<unsigned long long>(s.dropped_keys),
              static_cast<unsigned long long>(s.duplicate_keys),
              static_cast<unsigned long long>(s.slot_count), s.threads);
  std::printf("import:    %7.2f s wall, %6.2f s CPU (%.0f rows/s)\n", import.wall_seconds,
              import.cpu_seconds, static_cast<double>(2 * count) / import.wall_seconds);
  std::printf("policy:    %7.2f s wall, %6.2f s CPU\n", policy.wall_seconds, policy.cpu_seconds);
  std::printf("placement: %7.2f s wall\n", s.placement_seconds);
  std::printf("blinding:  %7.2f s wall, %6.2f s CPU (%.0f entries/s per CPU-second)\n",
              s.blinding_seconds, s.blinding_cpu_seconds,
              static_cast<double>(s.entries) / s.blinding_cpu_seconds);
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

int Cuckoo(std::size_t count) {
  std::mt19937_64 rng(7);
  std::vector<matcher::MatchKey> keys(count);
  for (auto& key : keys) {
    for (std::size_t i = 1; i < 9; ++i) key[i] = static_cast<std::uint8_t>(rng());
  }
  psi::DbNonce nonce{};
  nonce.fill(9);
  struct Setting {
    std::uint32_t functions;
    double load;
  };
  for (const Setting setting : {Setting{2, 0.45}, Setting{2, 0.48}, Setting{2, 0.50},
                                Setting{3, 0.85}, Setting{3, 0.90}, Setting{3, 0.92},
                                Setting{4, 0.95}}) {
    PhaseTimer watch;
    const std::uint64_t slots = CuckooSlotCount(count, setting.load, setting.functions);
    auto placement = PlaceKeys(keys, nonce, slots, setting.functions, 0);
    if (!placement.ok()) return Fail("placement", placement.status());
    const double dropped = static_cast<double>(placement->dropped_keys.size());
    std::printf("c=%u load=%.2f: slots %llu, dropped %.0f of %zu (%.2e), longest walk %llu, "
                "%.2f s, db %.1f MB\n",
                setting.functions, setting.load, static_cast<unsigned long long>(slots), dropped,
                count, dropped / static_cast<double>(count),
                static_cast<unsigned long long>(placement->max_walk), watch.Next().wall_seconds,
                static_cast<double>(slots) * psi::kPointBytes / 1e6);
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
  if (mode == "cuckoo" && count > 0) return hashveil::hashdb::Cuckoo(count);
  std::fprintf(stderr, "usage: db_build_bench pipeline|cuckoo [N] [THREADS]\n");
  return 2;
}
