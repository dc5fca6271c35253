// `hashveil db import --store S.sqlite --source NAME --jurisdiction CC [--organisation ORG]
//  [--skip-bad] [--replace] [--reference] FILE|DIR...` (docs/design.md sections 6 and 9;
//  docs/hashdb.md).
//
// A FILE is a PDQ hash list in a layout docs/hashdb.md "Import formats" lists: hex per line,
// `hashveil hash` and the reference hasher's outputs (--dihedral and --json included), CSV/TSV with
// a hash/pdq column, threatexchange dataset and ThreatExchange UI CSV exports, HMA 1.0 data files,
// HMA 2 bank content as JSON Lines; an unknown layout is refused, never guessed. A DIR is hashed
// image by image with the matcher. Each input
// is one transaction into the named source: a bad line (or an image that cannot be hashed)
// refuses that input as a whole unless --skip-bad, which imports the rest and lists what it
// skipped. Importing the same file (or the same folder content) again is a no-op. With
// --replace the one input becomes the source's whole list: hashes the source held that it
// lacks are removed (the list owner dropped them upstream).
//
// Prints one summary line per input:
//   input=N lines=L imported=I skipped=S already_imported=yes|no [removed=R] revision=V
// (for a folder, lines counts its images; removed only with --replace; revision 0 when nothing
// changed). Errors name the input by its position among the arguments, never its path or
// content.
// Exit 0 when every input was imported (or already was), 1 when any was refused or changed
// nothing (an empty list, only skipped lines, only hashes this source already holds: usually a
// wrong file, and a script must not take it for an update); with --replace an unchanged list
// is exit 0 (already_imported=yes).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "db_report.h"
#include "hashveil/hashdb/source_store.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "image_files.h"
#include "progress_bar.h"

namespace hashveil::tools {
namespace {

namespace fs = std::filesystem;

constexpr char kCommand[] = "db import";
constexpr std::size_t kMaxListedSkips = 20;

struct DbImportArgs {
  std::string store;
  hashdb::SourceInfo source;
  bool skip_bad = false;
  bool replace = false;
  bool reference = false;
  std::vector<std::string> inputs;
};

// A progress callback drawing one bar, created on first use.
hashdb::ProgressCallback BarCallback(std::unique_ptr<ProgressBar>& bar, const char* label) {
  return [&bar, label](std::uint64_t done, std::uint64_t total) {
    if (!bar) bar = std::make_unique<ProgressBar>(label, total);
    bar->Update(done);
  };
}

hashdb::ImportOptions Options(const DbImportArgs& args, std::unique_ptr<ProgressBar>& bar) {
  return {.skip_bad_lines = args.skip_bad,
          .replace = args.replace,
          .progress = BarCallback(bar, "importing")};
}

// Hashes every image under `dir`. Images that fail are reported (by position) and skipped when
// --skip-bad, else the folder is refused.
Result<hashdb::ImportReport> ImportFolder(hashdb::SourceStore& store, const DbImportArgs& args,
                                          const fs::path& dir, const std::string& input_name) {
  HV_ASSIGN_OR_RETURN(const auto files, ImageFilesUnder(dir));
  const matcher::DecodeOptions decode{
      .mode = args.reference ? matcher::DecodeMode::kReference : matcher::DecodeMode::kFast};
  std::vector<hashdb::HashRecord> records;
  std::vector<std::uint64_t> failed;  // 1-based image positions
  {
    ProgressBar bar("hashing images", files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
      auto hashed = matcher::HashImageFile(files[i], decode);
      if (hashed.ok()) {
        records.push_back({hashed->hash, static_cast<std::uint32_t>(hashed->quality)});
      } else {
        PrintError(kCommand, input_name + ": image " + std::to_string(i + 1) + " of " +
                                 std::to_string(files.size()) + ": " +
                                 hashed.status().ToString());
        failed.push_back(i + 1);
      }
      bar.Advance();
    }
  }
  if (!failed.empty() && !args.skip_bad) {
    return Status::InvalidInput(std::to_string(failed.size()) + " of " +
                                std::to_string(files.size()) +
                                " images could not be hashed; nothing imported (--skip-bad "
                                "imports the rest)");
  }
  std::unique_ptr<ProgressBar> bar;
  HV_ASSIGN_OR_RETURN(auto report, store.ImportHashes(args.source, records, Options(args, bar)));
  report.lines_read = files.size();
  report.lines_skipped = failed.size();
  failed.resize(std::min(failed.size(), std::size_t{100}));  // as ImportReport lists them
  report.skipped_line_numbers = failed;
  report.format = "images";
  return report;
}

Result<hashdb::ImportReport> ImportInput(hashdb::SourceStore& store, const DbImportArgs& args,
                                         const fs::path& input, const std::string& input_name) {
  std::error_code ec;
  if (fs::is_directory(input, ec)) return ImportFolder(store, args, input, input_name);
  std::unique_ptr<ProgressBar> bar;
  return store.ImportHashList(args.source, input, Options(args, bar));
}

void PrintSkipped(const std::string& input_name, const hashdb::ImportReport& report) {
  if (report.lines_skipped == 0) return;
  std::string numbers;
  for (std::size_t i = 0; i < std::min(report.skipped_line_numbers.size(), kMaxListedSkips); ++i) {
    numbers += (i == 0 ? "" : ",") + std::to_string(report.skipped_line_numbers[i]);
  }
  if (report.lines_skipped > kMaxListedSkips) numbers += ",...";
  PrintError(kCommand, input_name + ": skipped " + std::to_string(report.lines_skipped) +
                           " bad lines or images: " + numbers);
}

int RunDbImport(const DbImportArgs& args) {
  if (args.replace && args.inputs.size() != 1) {
    PrintError(kCommand, "--replace takes exactly one input: the source's whole new list");
    return kExitUsage;
  }
  auto store = hashdb::SourceStore::Open(args.store);
  if (!store.ok()) {
    PrintError(kCommand, "source store (--store): " + store.status().ToString());
    return kExitSomeFailed;
  }
  int exit_code = kExitOk;
  for (std::size_t n = 0; n < args.inputs.size(); ++n) {
    const std::string input_name = "input " + std::to_string(n + 1);
    auto report = ImportInput(**store, args, args.inputs[n], input_name);
    if (!report.ok()) {
      PrintError(kCommand, input_name + ": " + report.status().ToString());
      exit_code = kExitSomeFailed;
      continue;
    }
    PrintSkipped(input_name, *report);
    std::printf("input=%zu lines=%llu imported=%llu skipped=%llu already_imported=%s", n + 1,
                static_cast<unsigned long long>(report->lines_read),
                static_cast<unsigned long long>(report->hashes_imported),
                static_cast<unsigned long long>(report->lines_skipped),
                report->already_imported ? "yes" : "no");
    if (args.replace) {
      std::printf(" removed=%llu", static_cast<unsigned long long>(report->hashes_removed));
    }
    std::printf(" revision=%llu format=%s\n", static_cast<unsigned long long>(report->revision),
                report->format.empty() ? "none" : report->format.c_str());
    std::fflush(stdout);
    if (report->revision == 0 && !report->already_imported) {
      PrintError(kCommand, input_name + ": nothing imported (no hash this source did not hold)");
      exit_code = kExitSomeFailed;
    }
  }
  return exit_code;
}

}  // namespace

void AddDbImportCommand(CLI::App& app, int* exit_code) {
  CLI::App& db = CommandGroup(app, "db", "The hash database: import, build, inspect, verify");
  auto args = std::make_shared<DbImportArgs>();
  CLI::App* cmd = db.add_subcommand(
      "import", "Import PDQ hash lists or hash image folders into a source of the store");
  cmd->add_option("--store", args->store, "Source store (SQLite; created when absent)")->required();
  cmd->add_option("--source", args->source.name, "Source name, unique in the store")->required();
  cmd->add_option("--jurisdiction", args->source.jurisdiction,
                  "The source's jurisdiction (ISO 3166 alpha-2, e.g. US)")
      ->required();
  cmd->add_option("--organisation", args->source.organisation, "The organisation behind the list");
  cmd->add_flag("--skip-bad", args->skip_bad,
                "Import the good lines (or images) of an input and list the bad ones, instead "
                "of refusing the input");
  cmd->add_flag("--replace", args->replace,
                "The input becomes the source's whole list: hashes the source holds that it "
                "lacks are removed (recorded as one revision; earlier publications keep theirs)");
  cmd->add_flag("--reference", args->reference,
                "Hash folders decoding fully as the reference CLI does (slower)");
  cmd->add_option("inputs", args->inputs,
                  "Hash list files (hex per line; hashveil hash output, --dihedral and --json "
                  "included; CSV/TSV with a hash, pdq, signal_str or td_raw_indicator column; HMA "
                  "1.0 rows; HMA 2 bank content JSON Lines: docs/hashdb.md) or image folders")
      ->required();
  cmd->callback([args, exit_code] { *exit_code = RunDbImport(*args); });
}

}  // namespace hashveil::tools
