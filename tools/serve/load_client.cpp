// hashveil-loadtest: a bounded load against `hashveil serve` (scripts/loadtest runs it).
// Builds a pool of real vouchers first (hashveil::Scanner over the given images), then for
// --seconds posts (account, voucher) pairs from --concurrency threads, each pair once: the store
// keys vouchers by (account, voucher id), so every pair is a new voucher to the service. A pair
// whose answer did not arrive (connection refused or reset: the service was killed) is retried
// until it is answered, as a messenger's upload queue would. Prints throughput, latency
// percentiles, errors and the number of pairs acknowledged (2xx), to compare with the store.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sodium.h>

#include "hashveil/common/secret_file.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/scanner.h"

namespace {
using Clock = std::chrono::steady_clock;

struct LoadArgs {
  int port = 0;
  std::string token_file, db, publisher, state_dir;
  std::vector<std::string> images;
  std::size_t pool = 400, accounts = 64, concurrency = 8;
  double seconds = 60;
};

struct Tally {
  std::mutex mutex;
  std::vector<double> latencies_ms;  // answered requests
  std::uint64_t created = 0, duplicate = 0, errors = 0, retries = 0;
};

std::vector<std::string> BuildPool(const LoadArgs& args) {
  hashveil::ScannerOptions options{.db_path = args.db, .account_state_path = args.state_dir + "/load.state"};
  options.publisher = hashveil::hashdb::LoadPublisherPublicKey(args.publisher).value();
  randombytes_buf(options.account_key.data(), options.account_key.size());
  auto scanner = hashveil::Scanner::Create(options);
  if (!scanner.ok()) {
    std::fprintf(stderr, "loadtest: scanner: %s\n", scanner.status().ToString().c_str());
    std::exit(1);
  }
  std::vector<std::vector<std::uint8_t>> images;
  for (const auto& path : args.images) images.push_back(hashveil::ReadFileBytes(path, 64 << 20).value());
  std::vector<std::string> pool(args.pool);
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < std::max(1u, std::thread::hardware_concurrency()); ++t) {
    workers.emplace_back([&] {
      for (std::size_t i; (i = next++) < pool.size();) {
        const auto voucher = (*scanner)->Scan(images[i % images.size()], {}).value();
        pool[i].assign(voucher.begin(), voucher.end());
      }
    });
  }
  for (auto& worker : workers) worker.join();
  return pool;
}

void Post(const LoadArgs& args, const std::string& authorization, const std::vector<std::string>& pool,
          std::atomic<std::size_t>& next_pair, Clock::time_point deadline, Tally& tally) {
  httplib::Client client("127.0.0.1", args.port);
  client.set_connection_timeout(2);
  client.set_read_timeout(30);
  std::vector<double> latencies;
  std::uint64_t created = 0, duplicate = 0, errors = 0, retries = 0;
  for (std::size_t pair; Clock::now() < deadline && (pair = next_pair++) < pool.size() * args.accounts;) {
    const std::string path = "/v1/accounts/load" + std::to_string(pair % args.accounts) + "/vouchers";
    const std::string& voucher = pool[pair / args.accounts];
    while (true) {  // until answered: an unanswered voucher may or may not have been committed
      const auto started = Clock::now();
      const auto answer = client.Post(path, {{"Authorization", authorization}}, voucher,
                                      "application/octet-stream");
      if (!answer) {
        ++retries;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
      if (answer->status == 201) ++created;
      else if (answer->status == 200) ++duplicate;
      else if (answer->status == 503) { ++retries; continue; }
      else ++errors;
      break;
    }
  }
  std::lock_guard lock(tally.mutex);
  tally.latencies_ms.insert(tally.latencies_ms.end(), latencies.begin(), latencies.end());
  tally.created += created;
  tally.duplicate += duplicate;
  tally.errors += errors;
  tally.retries += retries;
}

}  // namespace

int main(int argc, char** argv) {
  LoadArgs args;
  CLI::App app{"hashveil-loadtest: bounded load against hashveil serve"};
  app.add_option("--port", args.port, "Port of hashveil serve on 127.0.0.1")->required();
  app.add_option("--token-file", args.token_file, "Bearer token file")->required();
  app.add_option("--db", args.db, "Client DB the service serves")->required();
  app.add_option("--publisher", args.publisher, "Publisher public key")->required();
  app.add_option("--state-dir", args.state_dir, "Directory for the load account's state")->required();
  app.add_option("--pool", args.pool, "Distinct vouchers to build")->capture_default_str();
  app.add_option("--accounts", args.accounts, "Accounts each voucher is sent to")->capture_default_str();
  app.add_option("--concurrency", args.concurrency, "Client threads")->capture_default_str();
  app.add_option("--seconds", args.seconds, "Duration of the load")->capture_default_str();
  app.add_option("images", args.images, "Images to build the vouchers from")->required();
  CLI11_PARSE(app, argc, argv);
  if (sodium_init() < 0) return 1;

  const auto pool_started = Clock::now();
  const std::vector<std::string> pool = BuildPool(args);
  std::printf("vouchers built: %zu in %.1f s (%zu bytes each)\n", pool.size(),
              std::chrono::duration<double>(Clock::now() - pool_started).count(), pool[0].size());
  std::fflush(stdout);
  auto token = hashveil::ReadSecretFile(args.token_file, 0).value();
  std::string authorization(reinterpret_cast<const char*>(token.data()), token.size());
  authorization = "Bearer " + authorization.substr(0, authorization.find_first_of("\r\n"));

  Tally tally;
  std::atomic<std::size_t> next_pair{0};
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(args.seconds));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < args.concurrency; ++i) {
    threads.emplace_back(Post, std::cref(args), std::cref(authorization), std::cref(pool),
                         std::ref(next_pair), deadline, std::ref(tally));
  }
  for (auto& thread : threads) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  auto& l = tally.latencies_ms;
  std::sort(l.begin(), l.end());
  const auto percentile = [&l](double p) {
    return l.empty() ? 0.0 : l[std::min(l.size() - 1, static_cast<std::size_t>(p * l.size()))];
  };
  const std::uint64_t acknowledged = tally.created + tally.duplicate;
  std::printf("seconds=%.1f acknowledged=%llu (created=%llu duplicate=%llu) errors=%llu "
              "retries=%llu throughput=%.1f/s p50=%.1fms p99=%.1fms max=%.1fms\n",
              elapsed, static_cast<unsigned long long>(acknowledged),
              static_cast<unsigned long long>(tally.created),
              static_cast<unsigned long long>(tally.duplicate),
              static_cast<unsigned long long>(tally.errors),
              static_cast<unsigned long long>(tally.retries), acknowledged / elapsed,
              percentile(0.50), percentile(0.99), l.empty() ? 0.0 : l.back());
  return tally.errors == 0 ? 0 : 1;
}
