// hashveil audit thresholds --corpus DIR --out DIR [--db client.hvdb] [--grid SPEC] [--seed N]
//                           [--working-side PX]
//
// The threshold audit (docs/design.md section 8): writes OUT/audit.json and OUT/audit.html, prints
// the recommended parameter set and the wall-clock time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <opencv2/core.hpp>
#include <string>

#include "audit/audit_html.h"
#include "audit/audit_json.h"
#include "audit/corpus_files.h"
#include "audit/parallel_for.h"
#include "audit/parameter_set.h"
#include "audit/threshold_audit.h"
#include "audit/thumbnails.h"
#include "commands.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/hashdb/client_db.h"
#include "progress_bar.h"

namespace hashveil::tools {
namespace {

struct AuditThresholdsArgs {
  std::string corpus, out, db;
  std::string grid{audit::kDefaultGrid};
  std::uint64_t seed = 1;
  int working_side = audit::kMessengerSide;
  unsigned threads = 0;
  std::uint64_t db_entries = audit::kReferenceDbEntries;
};

void PrintError(const std::string& message) {
  std::fprintf(stderr, "hashveil audit thresholds: %s\n", message.c_str());
}

// Thumbnails of the photos in the key-match pairs audit.json lists; a photo that cannot be
// decoded again is shown by name only.
audit::Thumbnails ListedPhotoThumbnails(const audit::AuditResult& result, unsigned threads) {
  std::vector<std::size_t> images;
  for (const audit::ParameterSetResult& s : result.sets) {
    const auto& matches = s.pairs.distinct_matches;
    for (std::size_t i = 0; i < std::min(matches.size(), audit::kListedDistinctMatches); ++i) {
      images.push_back(matches[i].device);
      images.push_back(matches[i].listed);
    }
  }
  std::sort(images.begin(), images.end());
  images.erase(std::unique(images.begin(), images.end()), images.end());
  std::vector<std::string> uris(images.size());
  audit::ParallelFor(images.size(), threads, [&](std::uint64_t i) {
    Result<std::string> uri = audit::ThumbnailDataUri(result.image_paths[images[i]]);
    if (uri.ok()) uris[i] = std::move(*uri);
  });
  audit::Thumbnails thumbnails;
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (!uris[i].empty()) thumbnails[result.image_names[images[i]]] = std::move(uris[i]);
  }
  return thumbnails;
}

// The parameter sets to audit: the published DB's own, or the grid.
Result<std::vector<audit::ParameterSet>> ParameterSets(const AuditThresholdsArgs& args) {
  if (args.db.empty()) return audit::ParseGrid(args.grid);
  HV_ASSIGN_OR_RETURN(auto db, hashdb::ClientDb::LoadIgnoringSignature(args.db));
  const audit::ParameterSet set{{db->params().key_scheme, false}};
  HV_RETURN_IF_ERROR(set.matching.Validate());
  return std::vector<audit::ParameterSet>{set};
}

int RunAuditThresholds(const AuditThresholdsArgs& args) {
  const auto start = std::chrono::steady_clock::now();
  Result<std::vector<audit::ParameterSet>> sets = ParameterSets(args);
  if (!sets.ok()) {
    PrintError(sets.status().WithContext(args.db.empty() ? "grid" : "client DB").message());
    return kExitUsage;
  }
  Result<std::vector<std::filesystem::path>> files = audit::CorpusFiles(args.corpus);
  if (!files.ok()) {
    PrintError(files.status().WithContext("corpus").message());
    return kExitSomeFailed;
  }
  const std::filesystem::path out = args.out;
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) {
    PrintError("output folder could not be created");
    return kExitSomeFailed;
  }

  // The audit parallelises over images itself; OpenCV's own threads would only contend.
  cv::setNumThreads(1);
  audit::AuditOptions options{.corpus = *files,
                              .parameter_sets = *sets,
                              .seed = args.seed,
                              .working_side = args.working_side,
                              .threads = args.threads,
                              .db_entries = args.db_entries,
                              .scratch = out / ".audit-scratch",
                              .corpus_root = args.corpus,
                              .on_rejected_file = [](const audit::RejectedFile& rejected) {
                                // The audit's own per-file report: the auditor named the folder.
                                std::printf("not used: %s: %s\n",
                                            rejected.file.generic_string().c_str(),
                                            rejected.reason.c_str());
                              }};
  std::unique_ptr<ProgressBar> bar;
  std::string phase;
  const Result<audit::AuditResult> result = audit::RunThresholdAudit(
      options, [&](const std::string& name, std::uint64_t done, std::uint64_t total) {
        if (name != phase) {
          if (bar) bar->Finish();
          bar = std::make_unique<ProgressBar>(name, total);
          phase = name;
        }
        bar->Update(done);
      });
  if (bar) bar->Finish();
  std::filesystem::remove_all(options.scratch, ec);
  if (!result.ok()) {
    PrintError(result.status().message());
    return kExitSomeFailed;
  }

  const nlohmann::json json = audit::AuditJson(*result);
  const std::string text = json.dump(2) + "\n";
  const std::string html = audit::AuditHtml(json, ListedPhotoThumbnails(*result, args.threads));
  for (const auto& [name, content] : {std::pair{"audit.json", &text}, std::pair{"audit.html", &html}}) {
    const Status written = WriteFileAtomically(
        out / name, std::span(reinterpret_cast<const std::uint8_t*>(content->data()), content->size()));
    if (!written.ok()) {
      PrintError(std::string(name) + " could not be written");
      return kExitSomeFailed;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("images=%zu unreadable=%llu low_quality=%llu parameter_sets=%zu\n",
              result->corpus.images.size(), static_cast<unsigned long long>(result->corpus.unreadable),
              static_cast<unsigned long long>(result->corpus.low_quality), result->sets.size());
  std::printf("recommended=%s bound_supported=%s\n",
              result->recommended ? audit::Name(result->sets[*result->recommended].set).c_str()
                                  : "none",
              result->bound_supported ? "yes" : "no");
  std::printf("time=%.1fs (hashing %.1fs, measuring %.1fs, validating %.1fs, cost %.1fs)\n",
              seconds, result->hashing_seconds, result->measuring_seconds,
              result->validation_seconds, result->cost_seconds);
  return kExitOk;
}

}  // namespace

void AddAuditThresholdsCommand(CLI::App& app, int* exit_code) {
  CLI::App& group = CommandGroup(app, "audit", "Audits: match thresholds, published DBs");
  auto args = std::make_shared<AuditThresholdsArgs>();
  CLI::App* cmd = group.add_subcommand(
      "thresholds", "Measure recall, false matches, account-level odds and cost per parameter set");
  cmd->add_option("--corpus", args->corpus, "Folder of images (recursed)")->required();
  cmd->add_option("--out", args->out, "Folder for audit.json and audit.html")->required();
  cmd->add_option("--db", args->db,
                  "Audit this client DB's parameters instead of a grid (signature not checked)");
  cmd->add_option("--grid", args->grid, "Parameter grid, e.g. \"L=1;k=64;P=16,48;d=0;r=1,2\"")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the transform suite")->capture_default_str();
  cmd->add_option("--working-side", args->working_side,
                  "Longest side (px) the transformed copies start from; 0: the original's size")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)");
  cmd->add_option("--db-entries", args->db_entries,
                  "DB size N for the per-image false-match bound")
      ->capture_default_str();
  cmd->callback([args, exit_code] { *exit_code = RunAuditThresholds(*args); });
}

}  // namespace hashveil::tools
