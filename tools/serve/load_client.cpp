// hashveil-loadtest: a bounded load against `hashveil serve` (scripts/loadtest runs it).
//
// Posts real vouchers (the *.voucher files under --vouchers, made by `hashveil scan`) as
// (account, voucher) pairs, each pair once: the store keys vouchers by (account, voucher id), so
// every pair is a new voucher to the service. --connections threads each keep one keep-alive
// connection, so at most that many requests are in flight.
//   --rate R > 0: open loop. Pair i is due at start + i/R whatever the answers before it, and its
//     latency runs from that due time to its answer: a stalled service shows in the latency of
//     every voucher that waited, not only of the few in flight (no coordinated omission).
//   --rate 0: closed loop, each thread sends its next pair when the previous one is answered.
// With several --port values (serve processes sharing one PostgreSQL store), connection i starts
// on port i mod n, as a load balancer without account affinity would spread them.
// A pair whose answer did not arrive (connection refused or reset: the service was killed) is
// retried until it is answered, as a messenger's upload queue would, on the next port (the load
// balancer's failover); a 503 is retried after its Retry-After. Prints throughput, latency
// percentiles, errors and retries by kind, the client's own CPU time, and the number of pairs
// acknowledged (2xx), to compare with the store's count.
#include <httplib.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {
using Clock = std::chrono::steady_clock;

struct LoadArgs {
  std::vector<int> ports;
  std::string token_file, vouchers_dir;
  std::size_t accounts = 128, connections = 8;
  double rate = 0, seconds = 60;
};

struct Tally {
  std::mutex mutex;
  std::vector<double> latencies_ms;  // one per answered pair, retries included
  std::uint64_t created = 0, duplicate = 0;
  std::map<std::string, std::uint64_t> errors;   // answers other than 200, 201, 503
  std::map<std::string, std::uint64_t> retries;  // 503 or no answer
  Clock::time_point last_answer;
};

// Every *.voucher file under `dir`, in path order.
std::vector<std::string> LoadVouchers(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> paths;
  std::error_code error;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".voucher") {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> vouchers;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    vouchers.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return vouchers;
}

std::string ReadAuthorization(const std::string& token_file) {
  std::ifstream in(token_file);
  std::string token;
  std::getline(in, token);
  return "Bearer " + token;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

class Load {
 public:
  Load(const LoadArgs& args, std::vector<std::string> vouchers)
      : args_(args), vouchers_(std::move(vouchers)),
        authorization_(ReadAuthorization(args.token_file)) {}

  void Run() {
    start_ = Clock::now();
    deadline_ = start_ + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(args_.seconds));
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < args_.connections; ++i) {
      threads.emplace_back([this, i] { Post(i % args_.ports.size()); });
    }
    for (auto& thread : threads) thread.join();
  }

  Tally& tally() { return tally_; }
  Clock::time_point start() const { return start_; }

 private:
  // When pair `index` is due; nullopt when the load is over.
  std::optional<Clock::time_point> Due(std::size_t index) const {
    if (index >= vouchers_.size() * args_.accounts) return std::nullopt;
    const Clock::time_point due =
        args_.rate > 0 ? start_ + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(index / args_.rate))
                       : Clock::now();
    if (due >= deadline_) return std::nullopt;
    return due;
  }

  // Sends pairs from port number `port_index` on, moving to the next port when one goes away.
  void Post(std::size_t port_index) {
    std::optional<httplib::Client> client;
    const auto connect = [&] {
      client.emplace("127.0.0.1", args_.ports[port_index]);
      client->set_connection_timeout(2);
      client->set_read_timeout(30);
    };
    connect();
    Tally mine;
    for (std::size_t pair = next_pair_++; const auto due = Due(pair); pair = next_pair_++) {
      std::this_thread::sleep_until(*due);
      const std::string path =
          "/v1/accounts/load" + std::to_string(pair % args_.accounts) + "/vouchers";
      const std::string& voucher = vouchers_[pair / args_.accounts];
      while (true) {  // until answered: an unanswered voucher may or may not have been committed
        const auto answer = client->Post(path, {{"Authorization", authorization_}}, voucher,
                                         "application/octet-stream");
        if (!answer) {
          ++mine.retries["unanswered (" + httplib::to_string(answer.error()) + ")"];
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          port_index = (port_index + 1) % args_.ports.size();
          connect();
          continue;
        }
        if (answer->status == 503) {
          ++mine.retries["503 " + answer->body.substr(0, answer->body.find('\n'))];
          std::this_thread::sleep_for(std::chrono::seconds(1));  // the service's Retry-After
          continue;
        }
        mine.last_answer = Clock::now();
        mine.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(mine.last_answer - *due).count());
        if (answer->status == 201) ++mine.created;
        else if (answer->status == 200) ++mine.duplicate;
        else ++mine.errors[std::to_string(answer->status)];
        break;
      }
    }
    std::lock_guard lock(tally_.mutex);
    tally_.latencies_ms.insert(tally_.latencies_ms.end(), mine.latencies_ms.begin(),
                               mine.latencies_ms.end());
    tally_.created += mine.created;
    tally_.duplicate += mine.duplicate;
    for (const auto& [kind, count] : mine.errors) tally_.errors[kind] += count;
    for (const auto& [kind, count] : mine.retries) tally_.retries[kind] += count;
    tally_.last_answer = std::max(tally_.last_answer, mine.last_answer);
  }

  const LoadArgs& args_;
  const std::vector<std::string> vouchers_;
  const std::string authorization_;
  Clock::time_point start_, deadline_;
  std::atomic<std::size_t> next_pair_{0};  // the next pair to send, in due order
  Tally tally_;
};

std::string ByKind(const std::map<std::string, std::uint64_t>& counts) {
  if (counts.empty()) return "none";
  std::string text;
  for (const auto& [kind, count] : counts) {
    text += (text.empty() ? "" : ", ") + kind + ": " + std::to_string(count);
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  LoadArgs args;
  CLI::App app{"hashveil-loadtest: bounded load against hashveil serve on 127.0.0.1"};
  app.add_option("--port", args.ports,
                 "Port of hashveil serve on 127.0.0.1; repeat it for several serve processes")
      ->required()
      ->check(CLI::Range(1, 65535));
  app.add_option("--token-file", args.token_file, "Bearer token file")->required();
  app.add_option("--vouchers", args.vouchers_dir, "Directory of *.voucher files (hashveil scan)")
      ->required();
  app.add_option("--accounts", args.accounts, "Accounts each voucher is sent to")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--connections", args.connections, "Client threads, one connection each")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--rate", args.rate, "Vouchers per second offered (open loop); 0: closed loop")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--seconds", args.seconds, "Duration of the load")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> vouchers = LoadVouchers(args.vouchers_dir);
  if (vouchers.empty()) {
    std::fprintf(stderr, "loadtest: no *.voucher files under --vouchers\n");
    return 2;
  }
  // Every voucher of one DB has the same size: anything else is a file that did not read.
  const auto unreadable = [&](const std::string& v) { return v.empty() || v.size() != vouchers[0].size(); };
  if (std::any_of(vouchers.begin(), vouchers.end(), unreadable)) {
    std::fprintf(stderr, "loadtest: the *.voucher files under --vouchers differ in size\n");
    return 2;
  }
  if (args.rate > 0) {
    std::printf("open loop: %.0f vouchers/s offered, at most %zu in flight; latency from each "
                "voucher's due time to its answer, retries included\n",
                args.rate, args.connections);
  } else {
    std::printf("closed loop: %zu connections, each sends when answered; latency per voucher, "
                "retries included\n", args.connections);
  }
  std::fflush(stdout);

  const double cpu_before = CpuSeconds();
  Load load(args, std::move(vouchers));
  load.Run();
  const double cpu = CpuSeconds() - cpu_before;
  Tally& tally = load.tally();
  const double elapsed = std::chrono::duration<double>(
                             std::max(tally.last_answer, load.start()) - load.start()).count();
  auto& l = tally.latencies_ms;
  std::sort(l.begin(), l.end());
  const auto percentile = [&l](double p) {
    return l.empty() ? 0.0 : l[std::min(l.size() - 1, static_cast<std::size_t>(p * l.size()))];
  };
  const std::uint64_t acknowledged = tally.created + tally.duplicate;
  std::printf("seconds=%.1f acknowledged=%llu (created=%llu duplicate=%llu) throughput=%.1f/s "
              "p50=%.1fms p99=%.1fms max=%.1fms\n",
              elapsed, static_cast<unsigned long long>(acknowledged),
              static_cast<unsigned long long>(tally.created),
              static_cast<unsigned long long>(tally.duplicate),
              elapsed > 0 ? acknowledged / elapsed : 0.0, percentile(0.50), percentile(0.99),
              l.empty() ? 0.0 : l.back());
  std::printf("errors: %s\nretries: %s\n", ByKind(tally.errors).c_str(),
              ByKind(tally.retries).c_str());
  std::printf("client_cpu=%.2fs (%.3f ms per voucher)\n", cpu,
              acknowledged ? cpu * 1e3 / acknowledged : 0.0);
  return tally.errors.empty() ? 0 : 1;
}
