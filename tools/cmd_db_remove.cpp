// `hashveil db remove --store S.sqlite (--source NAME --all | [--source NAME] --hash HEX...)
//  [--reason TEXT]` (docs/hashdb.md, "Changing a source").
//
// Removes hashes from one source (or from every source holding them when no --source is
// given), or with --all everything a source holds, as one revision of the store with its
// reason. Nothing is deleted: publications made before keep their input, and `db history`
// lists the removal. Prints `removed=N not_held=M revision=V`; exit 0 when something was
// removed, 1 when nothing was (an unknown source, or no named hash held).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "db_report.h"
#include "hashveil/hashdb/source_store.h"

namespace hashveil::tools {
namespace {

struct DbRemoveArgs {
  std::string store;
  std::string source;
  bool all = false;
  std::vector<std::string> hashes;
  std::string reason;
};

int RunDbRemove(const DbRemoveArgs& args) {
  const std::string command = "db remove";
  if (args.all == !args.hashes.empty() || (args.all && args.source.empty())) {
    PrintError(command,
               "give either --source NAME --all, or --hash HEX (with or without --source)");
    return kExitUsage;
  }
  std::vector<matcher::PdqHash> hashes;
  for (std::size_t i = 0; i < args.hashes.size(); ++i) {
    auto hash = matcher::PdqHash::FromHex(args.hashes[i]);
    if (!hash.ok()) {
      PrintError(command, "--hash " + std::to_string(i + 1) + ": not a 64-digit hex PDQ hash");
      return kExitUsage;
    }
    hashes.push_back(*hash);
  }
  auto store = hashdb::SourceStore::OpenExisting(args.store);
  if (!store.ok()) {
    PrintError(command, "source store (--store): " + store.status().ToString());
    return kExitSomeFailed;
  }
  auto removed = args.all ? (*store)->RemoveSource(args.source, args.reason)
                          : (*store)->RemoveHashes(args.source, hashes, args.reason);
  if (!removed.ok()) {
    const std::string subject = args.source.empty() ? "" : "source \"" + args.source + "\": ";
    PrintError(command, subject + removed.status().ToString());
    return kExitSomeFailed;
  }
  std::printf("removed=%llu not_held=%llu revision=%llu\n",
              static_cast<unsigned long long>(removed->holdings_removed),
              static_cast<unsigned long long>(removed->hashes_not_held),
              static_cast<unsigned long long>(removed->revision));
  if (removed->holdings_removed == 0) {
    PrintError(command, "nothing removed: no named hash was held");
    return kExitSomeFailed;
  }
  return kExitOk;
}

}  // namespace

void AddDbRemoveCommand(CLI::App& app, int* exit_code) {
  CLI::App& db = CommandGroup(app, "db", "The hash database: import, build, inspect, verify");
  auto args = std::make_shared<DbRemoveArgs>();
  CLI::App* cmd = db.add_subcommand(
      "remove", "Remove hashes, or a source's whole list, from the store (recorded as a revision)");
  cmd->add_option("--store", args->store, "Source store (SQLite)")->required();
  cmd->add_option("--source", args->source,
                  "The source to remove from (default with --hash: every source holding it)");
  cmd->add_flag("--all", args->all, "Remove everything --source holds");
  cmd->add_option("--hash", args->hashes, "PDQ hash to remove (64 hex digits); repeatable");
  cmd->add_option("--reason", args->reason, "Why, recorded in the store's history");
  cmd->callback([args, exit_code] { *exit_code = RunDbRemove(*args); });
}

}  // namespace hashveil::tools
