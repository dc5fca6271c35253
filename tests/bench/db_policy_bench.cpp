// Source store at scale: two generated lists of N hashes (half of the second list within
// distance 1..31 of the first) imported into a fresh store, then the inclusion policy.
// Prints seconds per phase (wall and CPU), rows/s, entries, store size and peak RSS; asserts
// nothing.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>

#include "hashveil/hashdb/source_store.h"
#include "support/synthetic_hashes.h"

namespace hashveil::hashdb {
namespace {

namespace fs = std::filesystem;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU seconds of every thread of the process: the stable figure on a shared machine.
double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void BM_ImportAndPolicy(benchmark::State& state) {
  const auto count = static_cast<std::size_t>(state.range(0));
  std::string pattern = (fs::temp_directory_path() / "hv-policy-bench-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    state.SkipWithError("cannot create a temporary directory");
    return;
  }
  const fs::path dir = pattern;
  if (!testing::WriteOverlappingHashLists(dir / "us.csv", dir / "gb.csv", count, 1)) {
    state.SkipWithError("cannot write the hash lists");
    return;
  }
  for (auto _ : state) {
    fs::remove(dir / "store.sqlite");
    auto store = SourceStore::Open(dir / "store.sqlite");
    if (!store.ok()) {
      state.SkipWithError(store.status().ToString().c_str());
      break;
    }
    const auto import_start = std::chrono::steady_clock::now();
    const double import_cpu_start = ProcessCpuSeconds();
    auto us = (*store)->ImportHashList({"us", "Org US", "US"}, dir / "us.csv", {});
    auto gb = (*store)->ImportHashList({"gb", "Org GB", "GB"}, dir / "gb.csv", {});
    const double import_seconds = SecondsSince(import_start);
    const double import_cpu_seconds = ProcessCpuSeconds() - import_cpu_start;
    if (!us.ok() || !gb.ok()) {
      state.SkipWithError("import failed");
      break;
    }
    const auto policy_start = std::chrono::steady_clock::now();
    const double policy_cpu_start = ProcessCpuSeconds();
    auto entries = (*store)->ComputeIncludedSet(InclusionPolicy{}, nullptr);
    const double policy_seconds = SecondsSince(policy_start);
    const double policy_cpu_seconds = ProcessCpuSeconds() - policy_cpu_start;
    if (!entries.ok()) {
      state.SkipWithError(entries.status().ToString().c_str());
      break;
    }
    state.counters["import_s"] = import_seconds;
    state.counters["import_rows_per_s"] = static_cast<double>(2 * count) / import_seconds;
    state.counters["import_cpu_s"] = import_cpu_seconds;
    state.counters["policy_s"] = policy_seconds;
    state.counters["policy_cpu_s"] = policy_cpu_seconds;
    state.counters["entries"] = static_cast<double>(entries->entries.size());
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  std::error_code ec;
  state.counters["store_MB"] =
      static_cast<double>(fs::file_size(dir / "store.sqlite", ec)) / (1024.0 * 1024.0);
  fs::remove_all(dir, ec);
}
BENCHMARK(BM_ImportAndPolicy)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace
}  // namespace hashveil::hashdb

BENCHMARK_MAIN();
