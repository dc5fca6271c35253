// `hashveil db sources --store S.sqlite` and `hashveil db history --store S.sqlite`
// (docs/hashdb.md, "Changing a source"): what the source store holds and every change made to
// it. One `key=value` line per source or revision; text fields (names, organisations, reasons)
// come last and are quoted, with `"` and `\` escaped, so a script can split the rest on spaces.
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "db_report.h"
#include "hashveil/hashdb/source_store.h"

namespace hashveil::tools {
namespace {

std::string Quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

unsigned long long Number(std::uint64_t value) { return static_cast<unsigned long long>(value); }

// The store at `path`, or null after saying why.
std::unique_ptr<hashdb::SourceStore> OpenStore(const std::string& command,
                                               const std::string& path) {
  auto store = hashdb::SourceStore::OpenExisting(path);
  if (!store.ok()) {
    PrintError(command, "source store (--store): " + store.status().ToString());
    return nullptr;
  }
  return std::move(*store);
}

int RunDbSources(const std::string& store_path) {
  const std::string command = "db sources";
  const auto store = OpenStore(command, store_path);
  if (!store) return kExitSomeFailed;
  auto sources = store->ListSources();
  if (!sources.ok()) {
    PrintError(command, sources.status().ToString());
    return kExitSomeFailed;
  }
  for (const hashdb::SourceSummary& s : *sources) {
    std::printf(
        "jurisdiction=%s hashes=%llu imports=%llu removed=%llu last_revision=%llu "
        "source=%s organisation=%s\n",
        s.info.jurisdiction.c_str(), Number(s.hash_count), Number(s.import_count),
        Number(s.removed_count), Number(s.last_revision), Quoted(s.info.name).c_str(),
        Quoted(s.info.organisation).c_str());
  }
  return kExitOk;
}

int RunDbHistory(const std::string& store_path) {
  const std::string command = "db history";
  const auto store = OpenStore(command, store_path);
  if (!store) return kExitSomeFailed;
  auto history = store->History();
  if (!history.ok()) {
    PrintError(command, history.status().ToString());
    return kExitSomeFailed;
  }
  for (const hashdb::StoreChange& c : *history) {
    std::printf("revision=%llu at=%s action=%s added=%llu removed=%llu source=%s reason=%s\n",
                Number(c.revision), c.at.c_str(), hashdb::ChangeKindName(c.kind), Number(c.added),
                Number(c.removed), c.source.empty() ? "*" : Quoted(c.source).c_str(),
                Quoted(c.reason).c_str());
  }
  return kExitOk;
}

}  // namespace

void AddDbSourcesCommands(CLI::App& app, int* exit_code) {
  CLI::App& db = CommandGroup(app, "db", "The hash database: import, build, inspect, verify");
  auto store = std::make_shared<std::string>();
  CLI::App* sources = db.add_subcommand(
      "sources", "List the store's sources: hashes held, imports, hashes removed");
  sources->add_option("--store", *store, "Source store (SQLite)")->required();
  sources->callback([store, exit_code] { *exit_code = RunDbSources(*store); });

  CLI::App* history = db.add_subcommand(
      "history", "List every change to the store (imports, replacements, removals), oldest first");
  history->add_option("--store", *store, "Source store (SQLite)")->required();
  history->callback([store, exit_code] { *exit_code = RunDbHistory(*store); });
}

}  // namespace hashveil::tools
