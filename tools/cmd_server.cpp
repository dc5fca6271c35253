// `hashveil server ingest --store server.sqlite --secret server.key --account NAME VOUCHER...` and
// `hashveil server process --store server.sqlite --secret server.key --sources S.sqlite
//  --reports DIR` (docs/design.md section 9): the voucher service's write path and threshold run
// (tools/serve), once, from the command line. Both accept `--db client.hvdb [--publisher
// KEY.pub]`: the first call must give it, the store remembers the DB's parameters (one per
// epoch; a newer --db becomes current, as `serve --db` does, docs/service.md "DB updates") and
// later calls may omit it. The server secret must be the one the DBs were blinded with.
// --store is a SQLite file or a PostgreSQL URI (postgresql://...; psi::OpenShareStore).
//
// ingest: each voucher opened and stored (idempotent by voucher id); a refused voucher is named
// by its position with the reason, counted for the account, and the exit code is 1.
// process: DIR/ACCOUNT.json (+ derivative PNGs) for each account over the threshold, and one
// `account=NAME vouchers=N candidates=M threshold=T reported=yes|no ...` line per account it
// processed: every account on SQLite; on PostgreSQL the dirty accounts (new candidates since
// their last processing) of the buckets no other processor held (docs/service.md).
//
// `hashveil server shards --store URI [--show-uris]` prints a PostgreSQL store's bucket map,
// `buckets FIRST-LAST shard N` per run of buckets, then `shard N accounts=COUNT` per shard
// (shard 0 is the directory, the --store database; `accounts=unreachable` and exit code 1 for a
// shard that cannot be read); `--assign FIRST-LAST=URI|directory` puts those buckets on a shard
// first (psi::AssignBuckets: refused when they hold accounts where they are now).

#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "commands.h"
#include "db_report.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/psi/shard_map.h"
#include "hashveil/psi/share_store.h"
#include "hashveil/psi/voucher_opener.h"
#include "serve/account_processing.h"
#include "serve/epoch_openers.h"
#include "serve/served_db.h"
#include "serve/store_pool.h"
#include "serve/voucher_intake.h"

namespace hashveil::tools {
namespace {

struct ServerArgs {
  std::string store;
  std::string secret;
  std::optional<std::string> db;
  std::string publisher = "publisher.key.pub";
  unsigned transition_hours = 72;
  std::string account;                // ingest
  std::vector<std::string> vouchers;  // ingest
  std::string sources;                // process
  std::string reports;                // process
};

struct Server {
  hashdb::ServerSecret secret;
  serve::ServedDbs served;
};

// The secret and the served DB's parameters, set up from --db or remembered by the store (the
// secret checked against the DB's public point).
Result<Server> OpenServer(const ServerArgs& args, serve::StorePool& stores) {
  Server server;
  auto secret = hashdb::LoadServerSecret(args.secret);
  if (!secret.ok()) return secret.status().WithContext("server secret file");
  server.secret = std::move(secret).value();
  HV_ASSIGN_OR_RETURN(auto store, stores.Acquire());
  serve::ServedDbFiles files;
  if (args.db) {
    files.db = *args.db;
    files.publisher = args.publisher;
  }
  const serve::EpochRollOver roll{
      .now = serve::UnixNow(),
      .transition_seconds = static_cast<std::int64_t>(args.transition_hours) * 3600};
  auto served = serve::SetUpServedDbs(*store, files, server.secret, roll);
  if (!served.ok()) return served.status().WithContext("served DB");
  server.served = *served;
  return server;
}

int RunIngest(const ServerArgs& args) {
  constexpr const char* kCommand = "server ingest";
  if (!psi::IsValidAccountName(args.account)) {
    PrintError(kCommand, "account names are 1-128 characters of A-Z a-z 0-9 . _ -");
    return kExitUsage;
  }
  serve::StorePool stores(args.store);
  auto server = OpenServer(args, stores);
  auto openers = server.ok() ? serve::EpochOpeners::Create(server->served.all,
                                                           server->secret.alpha, &serve::UnixNow)
                             : Result<serve::EpochOpeners>(server.status());
  if (!openers.ok()) {
    PrintError(kCommand, openers.status().ToString());
    return kExitSomeFailed;
  }
  serve::VoucherIntake intake(std::move(openers).value(), stores);

  std::uint64_t accepted = 0, duplicates = 0, candidates = 0, inconsistent = 0, refused = 0;
  for (std::size_t i = 0; i < args.vouchers.size(); ++i) {
    // One byte over the voucher size is enough to refuse a file as too long.
    auto bytes = ReadFileBytes(args.vouchers[i], intake.voucher_bytes() + 1);
    if (!bytes.ok()) {
      std::fprintf(stderr, "hashveil %s: voucher %zu: %s\n", kCommand, i + 1,
                   bytes.status().ToString().c_str());
      ++refused;
      continue;
    }
    const serve::IntakeOutcome outcome = intake.Submit(args.account, *bytes);
    switch (outcome.kind) {
      case serve::IntakeOutcome::Kind::kAccepted:
        ++accepted;
        candidates += outcome.candidate;
        inconsistent += outcome.inconsistent;
        break;
      case serve::IntakeOutcome::Kind::kDuplicate:
        ++duplicates;
        break;
      case serve::IntakeOutcome::Kind::kRefused:
        std::fprintf(stderr, "hashveil %s: voucher %zu: refused: %s\n", kCommand, i + 1,
                     std::string(serve::RefusalReasonName(outcome.reason)).c_str());
        ++refused;
        break;
    }
  }
  std::printf("account=%s accepted=%llu duplicates=%llu new_candidates=%llu refused=%llu "
              "inconsistent=%llu\n",
              args.account.c_str(), static_cast<unsigned long long>(accepted),
              static_cast<unsigned long long>(duplicates),
              static_cast<unsigned long long>(candidates),
              static_cast<unsigned long long>(refused),
              static_cast<unsigned long long>(inconsistent));
  return refused == 0 ? kExitOk : kExitSomeFailed;
}

int RunProcess(const ServerArgs& args) {
  constexpr const char* kCommand = "server process";
  serve::StorePool stores(args.store);
  auto server = OpenServer(args, stores);
  auto processing =
      server.ok() ? serve::AccountProcessing::Create(stores, args.sources, args.reports, server->served)
                  : Result<std::unique_ptr<serve::AccountProcessing>>(server.status());
  auto summary = processing.ok() ? (*processing)->RunOnce()
                                 : Result<serve::ProcessingSummary>(processing.status());
  if (!summary.ok()) {
    PrintError(kCommand, summary.status().ToString());
    return kExitSomeFailed;
  }
  std::fputs(summary->lines.c_str(), stdout);
  return kExitOk;
}

struct ShardsArgs {
  std::string store;
  std::optional<std::string> assign;  // FIRST-LAST=URI|directory
  bool show_uris = false;
};

// "FIRST-LAST=URI" or "FIRST-LAST=directory" (the shard URI "" for the directory); the numbers'
// range is AssignBuckets's to check.
std::optional<std::tuple<std::uint32_t, std::uint32_t, std::string>> ParseAssignment(
    const std::string& text) {
  const auto dash = text.find('-');
  const auto equals = text.find('=');
  if (dash == std::string::npos || equals == std::string::npos || equals < dash) return {};
  std::uint32_t first = 0, last = 0;
  const char* begin = text.data();
  if (std::from_chars(begin, begin + dash, first).ptr != begin + dash ||
      std::from_chars(begin + dash + 1, begin + equals, last).ptr != begin + equals || dash == 0 ||
      equals == dash + 1) {
    return {};
  }
  std::string shard = text.substr(equals + 1);
  if (shard == "directory") shard.clear();
  return std::tuple(first, last, std::move(shard));
}

int RunShards(const ShardsArgs& args) {
  constexpr const char* kCommand = "server shards";
  if (!psi::IsPostgresStoreUri(args.store)) {
    PrintError(kCommand, "--store must be a PostgreSQL URI (postgresql://...)");
    return kExitUsage;
  }
  if (args.assign) {
    const auto assignment = ParseAssignment(*args.assign);
    if (!assignment) {
      PrintError(kCommand, "--assign takes FIRST-LAST=URI or FIRST-LAST=directory");
      return kExitUsage;
    }
    const auto& [first, last, shard] = *assignment;
    const Status assigned = psi::AssignBuckets(args.store, first, last, shard);
    if (!assigned.ok()) {
      PrintError(kCommand, assigned.ToString());
      return assigned.code() == StatusCode::kInvalidInput ? kExitUsage : kExitSomeFailed;
    }
  }
  const auto map = psi::ReadShardMap(args.store);
  if (!map.ok()) {
    PrintError(kCommand, map.status().ToString());
    return kExitSomeFailed;
  }
  for (const psi::ShardRun& run : map->runs) {
    std::printf("buckets %u-%u shard %zu\n", run.first, run.last, run.shard);
  }
  bool all_read = true;
  for (std::size_t index = 0; index < map->shards.size(); ++index) {
    const psi::ShardOfMap& shard = map->shards[index];
    const std::string accounts =
        shard.accounts ? std::to_string(*shard.accounts) : std::string("unreachable");
    all_read = all_read && shard.accounts.has_value();
    std::string uri;
    if (args.show_uris) uri = index == 0 ? " uri=directory" : " uri=" + shard.uri;
    std::printf("shard %zu accounts=%s%s\n", index, accounts.c_str(), uri.c_str());
  }
  return all_read ? kExitOk : kExitSomeFailed;
}

void AddServedDbOptions(CLI::App* cmd, ServerArgs& args) {
  cmd->add_option("--store", args.store,
                  "Share store: a SQLite file, or a PostgreSQL URI (postgresql://...)")
      ->required();
  cmd->add_option("--secret", args.secret, "Server blinding secret file")->required();
  cmd->add_option("--db", args.db, "Client DB to serve (needed once; the store remembers it)");
  cmd->add_option("--publisher", args.publisher, "Publisher public key file for --db")
      ->capture_default_str();
  cmd->add_option("--transition-hours", args.transition_hours,
                  "Hours the previous epoch's vouchers stay accepted after --db adds a newer one")
      ->check(CLI::Range(0, 2160))
      ->capture_default_str();
}

}  // namespace

void AddServerCommands(CLI::App& app, int* exit_code) {
  CLI::App& server = CommandGroup(app, "server", "The server side: ingest vouchers, process accounts");
  auto ingest_args = std::make_shared<ServerArgs>();
  CLI::App* ingest = server.add_subcommand(
      "ingest", "Open vouchers' outer layers and store the candidates (idempotent)");
  AddServedDbOptions(ingest, *ingest_args);
  ingest->add_option("--account", ingest_args->account, "Account the vouchers came from")
      ->required();
  ingest->add_option("VOUCHER", ingest_args->vouchers, "Voucher files")->required();
  ingest->callback([ingest_args, exit_code] { *exit_code = RunIngest(*ingest_args); });

  auto process_args = std::make_shared<ServerArgs>();
  CLI::App* process = server.add_subcommand(
      "process",
      "Threshold processing for every account (PostgreSQL: every dirty one); a JSON report per "
      "account over it");
  AddServedDbOptions(process, *process_args);
  process->add_option("--sources", process_args->sources,
                      "Source store holding the DB's original hashes")->required();
  process->add_option("--reports", process_args->reports, "Directory for the reports")
      ->required();
  process->callback([process_args, exit_code] { *exit_code = RunProcess(*process_args); });

  auto shards_args = std::make_shared<ShardsArgs>();
  CLI::App* shards = server.add_subcommand(
      "shards",
      "PostgreSQL: print the bucket map (which database holds each of the 1024 account buckets) "
      "with each shard's account count, after --assign if given");
  shards
      ->add_option("--store", shards_args->store,
                   "The directory: the PostgreSQL URI (postgresql://...) serve's --store names")
      ->required();
  shards->add_option("--assign", shards_args->assign,
                     "FIRST-LAST=URI: put buckets FIRST..LAST (0..1023) on the shard at URI (no "
                     "password in it; libpq reads ~/.pgpass), or back on the directory with "
                     "FIRST-LAST=directory. Refused when those buckets hold accounts where they "
                     "are now; restart serve processes afterwards");
  shards->add_flag("--show-uris", shards_args->show_uris, "Print each shard's URI");
  shards->callback([shards_args, exit_code] { *exit_code = RunShards(*shards_args); });
}

}  // namespace hashveil::tools
