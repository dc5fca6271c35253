// Scanner::Create on a large client DB: the first start on a device (the DB's per-point checks
// run) against a start on a DB file this device checked before (docs/api.md, "Start-up").
// Prints figures, asserts nothing.
//
//   scanner_start_bench [ENTRIES=1000000] [RUNS=5]
// builds a DB of ENTRIES random entries at the default parameters in a temporary directory, then
// times Create without the marker (cold: RUNS times, the marker removed before each) and with it
// (verified: RUNS times), and prints the medians and their ratio.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/hashdb/db_builder.h"
#include "hashveil/scanner.h"

namespace hashveil {
namespace {

namespace fs = std::filesystem;

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Milliseconds of one Scanner::Create, or a negative value after printing why it failed.
double TimeCreate(const ScannerOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  auto scanner = Scanner::Create(options);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!scanner.ok()) {
    std::fprintf(stderr, "scanner_start_bench: %s\n", scanner.status().ToString().c_str());
    return -1;
  }
  return ms;
}

int Run(std::uint64_t entries, int runs) {
  const fs::path dir = fs::temp_directory_path() / ("hv-start-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto random = MakeSystemRandom();
  const hashdb::ServerSecret secret = hashdb::GenerateServerSecret(*random);
  const hashdb::PublisherKeyPair publisher = hashdb::GeneratePublisherKeys(*random);
  std::vector<hashdb::PublishedEntry> set(entries);
  for (auto& entry : set) {
    for (auto& word : entry.hash.words) word = static_cast<std::uint16_t>(random->NextU64());
    entry.quality = 100;
    entry.sources = {"a", "b"};
  }
  std::printf("building a DB of %llu entries...\n", static_cast<unsigned long long>(entries));
  std::fflush(stdout);
  auto built = hashdb::BuildClientDb(set, hashdb::DbBuildOptions{}, secret, publisher, *random,
                                     dir / "client.hvdb", dir / "client.hvdb.proof");
  if (!built.ok()) {
    std::fprintf(stderr, "scanner_start_bench: %s\n", built.status().ToString().c_str());
    return 1;
  }
  ScannerOptions options;
  options.db_path = dir / "client.hvdb";
  options.publisher = publisher.public_key;
  options.account_state_path = dir / "alice.state";
  random->Fill(options.account_key.span());
  options.account_name = "alice";
  const fs::path marker = dir / "alice.state.dbcheck";

  std::vector<double> cold, verified;
  for (int i = 0; i < runs; ++i) {
    fs::remove(marker);
    cold.push_back(TimeCreate(options));
  }
  for (int i = 0; i < runs; ++i) verified.push_back(TimeCreate(options));
  fs::remove_all(dir);
  if (std::min(*std::min_element(cold.begin(), cold.end()),
               *std::min_element(verified.begin(), verified.end())) < 0) {
    return 1;
  }
  std::printf("DB: %llu entries, %llu cells, %llu bytes\n",
              static_cast<unsigned long long>(built->stats.entries),
              static_cast<unsigned long long>(built->stats.cell_count),
              static_cast<unsigned long long>(built->stats.db_bytes));
  std::printf("Scanner::Create, first start (point checks run): %.1f ms (median of %d)\n",
              Median(cold), runs);
  std::printf("Scanner::Create, DB checked before (marker):     %.1f ms (median of %d)\n",
              Median(verified), runs);
  std::printf("ratio first / checked before: %.1fx\n", Median(cold) / Median(verified));
  return 0;
}

}  // namespace
}  // namespace hashveil

int main(int argc, char** argv) {
  const std::uint64_t entries = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  if (entries == 0 || runs <= 0) {
    std::fprintf(stderr, "usage: scanner_start_bench [ENTRIES=1000000] [RUNS=5]\n");
    return 2;
  }
  return hashveil::Run(entries, runs);
}
