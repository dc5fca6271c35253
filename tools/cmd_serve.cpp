// `hashveil serve` (docs/design.md sections 7 and 9): the voucher service over HTTP. Accepts
// vouchers into the share store, runs threshold processing in the background and on demand, and
// stops cleanly on SIGTERM/SIGINT (requests in progress are answered, the store is closed). Every
// accepted voucher is committed before its answer, so a kill -9 loses nothing that was accepted.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include "account_processing.h"
#include "bearer_token.h"
#include "commands.h"
#include "db_report.h"
#include "epoch_openers.h"
#include "hashveil/hashdb/keys.h"
#include "listen_address.h"
#include "served_db.h"
#include "service_metrics.h"
#include "store_pool.h"
#include "threshold_scheduler.h"
#include "voucher_intake.h"
#include "voucher_service.h"

namespace hashveil::tools {
namespace {

constexpr const char* kCommand = "serve";

struct ServeArgs {
  std::string store;
  std::size_t store_connections = 8;
  std::string secret;
  std::string listen = "127.0.0.1:8443";
  std::string token_file;
  std::optional<std::string> db;
  std::optional<std::string> publisher;
  std::optional<std::string> sources;
  std::optional<std::string> reports;
  double process_interval = 10;
  unsigned transition_hours = 72;
  serve::ServiceLimits limits;
  unsigned read_timeout = 5;
  unsigned request_timeout = 10;
};

// Waits for SIGTERM or SIGINT (blocked in every thread, see RunServe) and stops the service.
// Stop is repeated until the service has stopped, in case the signal came before it listened.
class SignalStopper {
 public:
  SignalStopper(sigset_t signals, serve::VoucherService& service)
      : thread_([this, signals, &service] {
          int signal = 0;
          sigwait(&signals, &signal);
          std::fprintf(stderr, "hashveil serve: stopping (signal %d)\n", signal);
          while (!stopped_.load()) {
            service.Stop();
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
        }) {}
  // Called once the service has stopped for any reason; wakes the thread if no signal came.
  ~SignalStopper() {
    stopped_.store(true);
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }

 private:
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

std::function<void(const Result<serve::ProcessingSummary>&)> PrintChangedSummaries() {
  auto last = std::make_shared<std::string>();
  return [last](const Result<serve::ProcessingSummary>& summary) {
    if (!summary.ok()) {
      PrintError(kCommand, "threshold processing: " + summary.status().ToString());
      return;
    }
    if (summary->lines == *last) return;
    *last = summary->lines;
    std::fputs(summary->lines.c_str(), stdout);
    std::fflush(stdout);
  };
}

// The metrics' info: the current DB, and each older one whose vouchers are still accepted.
serve::ServedBuild BuildInfo(const serve::ServedDbs& served, std::int64_t now) {
  const psi::ServedDbParams& current = served.current();
  serve::ServedBuild build{.version = HASHVEIL_VERSION,
                           .epoch = current.shape.epoch,
                           .threshold = current.threshold,
                           .digest = current.shape.db_digest,
                           .transitions = {}};
  for (std::size_t i = 1; i < served.all.size(); ++i) {
    const psi::ServedDb& older = served.all[i];
    if (!older.AcceptsVouchersAt(now)) continue;
    build.transitions.push_back({.epoch = older.params.shape.epoch,
                                 .threshold = older.params.threshold,
                                 .digest = older.params.shape.db_digest,
                                 .accepted_until = older.accepted_until.value_or(0)});
  }
  return build;
}

int RunServe(ServeArgs args) {
  if (args.sources.has_value() != args.reports.has_value()) {
    PrintError(kCommand, "--sources and --reports go together (threshold processing needs both)");
    return kExitUsage;
  }
  if (args.process_interval <= 0) {
    PrintError(kCommand, "--process-interval must be positive");
    return kExitUsage;
  }
  auto address = serve::ParseListenAddress(args.listen);
  if (!address.ok()) {
    PrintError(kCommand, address.status().ToString());
    return kExitUsage;
  }
  auto token = serve::BearerToken::LoadFromFile(args.token_file);
  if (!token.ok()) {
    PrintError(kCommand, "token file: " + token.status().ToString());
    return kExitSomeFailed;
  }
  auto secret = hashdb::LoadServerSecret(args.secret);
  if (!secret.ok()) {
    PrintError(kCommand, "server secret file: " + secret.status().ToString());
    return kExitSomeFailed;
  }
  serve::StorePool stores(args.store, args.store_connections);
  const serve::EpochRollOver roll{
      .now = serve::UnixNow(),
      .transition_seconds = static_cast<std::int64_t>(args.transition_hours) * 3600};
  auto served = [&]() -> Result<serve::ServedDbs> {
    HV_ASSIGN_OR_RETURN(auto store, stores.Acquire());
    return serve::SetUpServedDbs(*store, {args.db, args.publisher}, *secret, roll);
  }();
  if (!served.ok()) {
    PrintError(kCommand, "served DB: " + served.status().ToString());
    return kExitSomeFailed;
  }
  auto openers = serve::EpochOpeners::Create(served->all, secret->alpha, &serve::UnixNow);
  if (!openers.ok()) {
    PrintError(kCommand, "voucher opener: " + openers.status().ToString());
    return kExitSomeFailed;
  }
  const psi::ServedDbParams& current = served->current();

  // Block the stop signals before any thread starts, so only SignalStopper receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  serve::ServiceMetrics metrics(BuildInfo(*served, roll.now), &stores);
  serve::VoucherIntake intake(std::move(openers).value(), stores);
  std::unique_ptr<serve::AccountProcessing> processing;
  std::unique_ptr<serve::ThresholdScheduler> scheduler;
  if (args.sources) {
    auto created = serve::AccountProcessing::Create(stores, *args.sources, *args.reports, *served);
    if (!created.ok()) {
      PrintError(kCommand, "threshold processing: " + created.status().ToString());
      return kExitSomeFailed;
    }
    processing = std::move(created).value();
    scheduler = std::make_unique<serve::ThresholdScheduler>(
        [&processing] { return processing->RunOnce(); },
        std::chrono::milliseconds(static_cast<std::int64_t>(args.process_interval * 1000)),
        metrics, PrintChangedSummaries());
  }
  args.limits.read_timeout = std::chrono::seconds(args.read_timeout);
  args.limits.write_timeout = std::chrono::seconds(args.read_timeout);
  args.limits.request_timeout = std::chrono::seconds(args.request_timeout);
  serve::VoucherService service(*token, intake, scheduler.get(), metrics, args.limits,
                                [&stores]() -> Result<std::vector<psi::ServedDb>> {
                                  HV_ASSIGN_OR_RETURN(auto store, stores.Acquire());
                                  return store->LoadServedDbs();
                                });
  auto port = service.Bind(address->host, address->port);
  if (!port.ok()) {
    PrintError(kCommand, port.status().ToString());
    return kExitSomeFailed;
  }
  std::printf("hashveil serve: listening on %s:%d (epoch %llu, threshold %u, voucher %zu bytes)\n",
              address->host.c_str(), *port,
              static_cast<unsigned long long>(current.shape.epoch), current.threshold,
              intake.voucher_bytes());
  std::fflush(stdout);
  Status ran;
  {
    SignalStopper stopper(signals, service);
    ran = service.Run();
  }
  if (scheduler) scheduler->Stop();
  if (!ran.ok()) {
    PrintError(kCommand, ran.ToString());
    return kExitSomeFailed;
  }
  std::printf("hashveil serve: stopped\n");
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "The voucher service over HTTP (docs/service.md)");
  cmd->add_option("--store", args->store,
                  "Share store: a SQLite file, or a PostgreSQL URI (postgresql://...); created on "
                  "first use")
      ->required();
  cmd->add_option("--store-connections", args->store_connections,
                  "Share store connections this process opens at most (PostgreSQL admits a "
                  "bounded number for the whole fleet)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--secret", args->secret, "Server blinding secret file")->required();
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--token-file", args->token_file,
                  "File whose first line is the bearer token guarding the write endpoints")
      ->required();
  cmd->add_option("--db", args->db,
                  "Client DB to serve (recorded in the store; a newer epoch becomes current)");
  cmd->add_option("--publisher", args->publisher, "Publisher public key verifying --db");
  cmd->add_option("--transition-hours", args->transition_hours,
                  "Hours the previous epoch's vouchers stay accepted after --db adds a newer one")
      ->check(CLI::Range(0, 2160))
      ->capture_default_str();
  cmd->add_option("--sources", args->sources,
                  "Source store holding the DB's publication (original hashes for verification)");
  cmd->add_option("--reports", args->reports, "Directory for the reports of accounts that cross t");
  cmd->add_option("--process-interval", args->process_interval,
                  "Seconds between background threshold processing runs")
      ->capture_default_str();
  cmd->add_option("--threads", args->limits.threads, "Vouchers opened and committed at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--max-connections", args->limits.max_connections,
                  "Connections served at once (a thread each; slow clients wait on their own)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  cmd->add_option("--request-timeout", args->request_timeout,
                  "Seconds a client may take to send a whole request (its connection is then closed)")
      ->check(CLI::Range(1, 300))
      ->capture_default_str();
  cmd->add_option("--read-timeout", args->read_timeout,
                  "Seconds a slow client may take per read or write")
      ->check(CLI::Range(1, 300))
      ->capture_default_str();
  cmd->callback([args, exit_code] { *exit_code = RunServe(*args); });
}

}  // namespace hashveil::tools
