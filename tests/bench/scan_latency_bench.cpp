// Scan latency through the C ABI (decode + PDQ + visual derivative + voucher), one image at a
// time on one thread, at the default DB parameters (P=16 probes, one outer entry each, t=10).
// Beside the full scan, its parts: PDQ hashing alone, and hash plus derivative from one decode;
// the voucher's share is the remainder; each row also counts minor page faults per iteration.
// Images are benchmarked in the order given (a large one frees large buffers, which raises
// glibc's dynamic thresholds for what follows: give the small ones first). scripts/bench-scan
// makes the inputs (a 1600 px messenger JPEG and a
// 12 MP camera JPEG) and pins the process to one core.
//
//   scan_latency_bench [--benchmark_*] IMAGE...
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/seeded_random.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/hashdb/db_builder.h"
#include "hashveil/hashveil.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "hashveil/matcher/visual_derivative.h"

namespace {

namespace fs = std::filesystem;
using namespace hashveil;

constexpr std::size_t kDbEntries = 10'000;

// A signed DB of random hashes at the default parameters, and a scanner over a fresh account.
struct Fixture {
  fs::path dir;
  hv_scanner* scanner = nullptr;

  // The DB is built in a child process: its large transient allocations would otherwise tune
  // this process's allocator (glibc's dynamic mmap and trim thresholds) as an app that only
  // loads a DB never is, and hide the scan's own memory behaviour.
  bool Make() {
    dir = fs::temp_directory_path() / ("hv-scan-bench-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::fflush(stdout);
    const pid_t child = ::fork();
    if (child < 0) return false;
    if (child == 0) ::_exit(BuildDb() ? 0 : 1);
    int status = 0;
    if (::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return false;
    hashdb::PublisherPublicKey publisher{};
    std::FILE* in = std::fopen((dir / "publisher.raw").c_str(), "rb");
    if (in == nullptr) return false;
    const bool read = std::fread(publisher.data(), 1, publisher.size(), in) == publisher.size();
    std::fclose(in);
    if (!read) return false;
    uint8_t account_key[HV_ACCOUNT_KEY_BYTES] = {1};
    char message[256];
    if (hv_scanner_create((dir / "client.hvdb").c_str(), publisher.data(),
                          (dir / "bench.state").c_str(), "bench", account_key, 0, &scanner, message,
                          sizeof message) != HV_OK) {
      std::fprintf(stderr, "scanner: %s\n", message);
      return false;
    }
    return true;
  }

  bool BuildDb() {
    auto random = MakeSeededRandomForTesting(1);
    std::vector<hashdb::PublishedEntry> entries(kDbEntries);
    for (auto& entry : entries) {
      for (auto& word : entry.hash.words) word = static_cast<std::uint16_t>(random->NextU64());
      entry.quality = 100;
      entry.sources = {"a", "b"};
    }
    const hashdb::ServerSecret secret = hashdb::GenerateServerSecret(*random);
    const hashdb::PublisherKeyPair publisher = hashdb::GeneratePublisherKeys(*random);
    hashdb::DbBuildOptions options;  // the defaults under test
    options.threads = 1;
    auto built = hashdb::BuildClientDb(entries, options, secret, publisher, *random,
                                       dir / "client.hvdb", dir / "client.hvdb.proof");
    if (!built.ok()) {
      std::fprintf(stderr, "building the DB: %s\n", built.status().ToString().c_str());
      return false;
    }
    std::printf("DB: %zu entries, P=%u probes (one outer entry each), t=%u\n", kDbEntries,
                built->params.key_scheme.probes, built->params.threshold);
    std::fflush(stdout);
    std::FILE* out = std::fopen((dir / "publisher.raw").c_str(), "wb");
    if (out == nullptr) return false;
    const bool written = std::fwrite(publisher.public_key.data(), 1, publisher.public_key.size(), out) ==
                         publisher.public_key.size();
    return std::fclose(out) == 0 && written;
  }

  ~Fixture() {
    hv_scanner_destroy(scanner);
    if (!dir.empty()) fs::remove_all(dir);
  }
};

long MinorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// Minor page faults per iteration (memory returned to the kernel and taken back shows here).
struct FaultCounter {
  benchmark::State& state;
  long start = MinorFaults();
  ~FaultCounter() {
    state.counters["faults"] = benchmark::Counter(static_cast<double>(MinorFaults() - start),
                                                  benchmark::Counter::kAvgIterations);
  }
};

void ScanCApi(benchmark::State& state, const hv_scanner* scanner,
              const std::vector<std::uint8_t>& image) {
  std::vector<uint8_t> voucher(hv_scanner_voucher_size(scanner));
  size_t written = 0;
  FaultCounter faults{state};
  for (auto _ : state) {
    const int status = hv_scanner_scan(scanner, image.data(), image.size(), nullptr, 0,
                                       voucher.data(), voucher.size(), &written, nullptr, 0);
    if (status != HV_OK) state.SkipWithError(hv_status_name(status));
    benchmark::DoNotOptimize(voucher.data());
  }
  state.counters["voucher_bytes"] = static_cast<double>(written);
  state.counters["image_bytes"] = static_cast<double>(image.size());
}

void HashOnly(benchmark::State& state, const std::vector<std::uint8_t>& image) {
  FaultCounter faults{state};
  for (auto _ : state) {
    auto hashed = matcher::HashEncodedImage(image);
    if (!hashed.ok()) state.SkipWithError("hashing failed");
    benchmark::DoNotOptimize(hashed);
  }
}

// One decode for the hash and the derivative: what Scan spends before the voucher.
void HashAndDerive(benchmark::State& state, const std::vector<std::uint8_t>& image) {
  FaultCounter faults{state};
  for (auto _ : state) {
    auto hashed = matcher::HashAndDeriveEncodedImage(image);
    if (!hashed.ok()) state.SkipWithError("hashing failed");
    benchmark::DoNotOptimize(hashed);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s [--benchmark_*] IMAGE...\n", argv[0]);
    return 2;
  }
  Fixture fixture;
  if (!fixture.Make()) return 1;
  std::vector<std::vector<std::uint8_t>> images;
  images.reserve(argc - 1);
  for (int i = 1; i < argc; ++i) {
    auto bytes = ReadFileBytes(argv[i], std::size_t{256} << 20);
    if (!bytes.ok()) {
      std::fprintf(stderr, "image %d: %s\n", i, bytes.status().ToString().c_str());
      return 1;
    }
    images.push_back(std::move(bytes).value());
    const std::string name = fs::path(argv[i]).filename().string();
    const auto& image = images.back();
    benchmark::RegisterBenchmark(("scan_c_api/" + name).c_str(), ScanCApi, fixture.scanner, image)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("hash_only/" + name).c_str(), HashOnly, image)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("hash_and_derive/" + name).c_str(), HashAndDerive, image)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
