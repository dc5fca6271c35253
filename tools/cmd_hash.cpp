// `hashveil hash [--dihedral] [--reference] [--json] PATH...` (docs/design.md section 9).
//
// Prints one line per image as the reference CLI does: `hash,quality,path`, or with --dihedral
// the 8 dihedral hashes (original, rot90, rot180, rot270, flipx, flipy, flip+1, flip-1), then
// quality and path. --json prints one JSON object per line instead (JSON Lines):
// {"path":..., "hash":..., "quality":..., ["dihedral":[8 hashes]]}. Directories are walked
// recursively in sorted path order, taking files with an image extension; files named on the
// command line are always tried. A file that fails is reported on stderr by its position (never
// its content or path: the input may be sensitive), the rest are still hashed, and the exit code
// is 1.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.h"
#include "image_files.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "progress_bar.h"

namespace hashveil::tools {
namespace {

namespace fs = std::filesystem;

struct HashArgs {
  std::vector<std::string> paths;
  bool dihedral = false;
  bool reference = false;
  bool json = false;
};

// The files to hash, in order; a directory contributes its image files, sorted.
std::vector<fs::path> CollectInputs(const std::vector<std::string>& args, int& failures) {
  std::vector<fs::path> inputs;
  for (std::size_t a = 0; a < args.size(); ++a) {
    std::error_code ec;
    if (!fs::is_directory(args[a], ec)) {
      inputs.emplace_back(args[a]);
      continue;
    }
    Result<std::vector<fs::path>> found = ImageFilesUnder(args[a]);
    if (!found.ok()) {
      std::fprintf(stderr, "hashveil hash: argument %zu: cannot read the directory completely\n", a + 1);
      ++failures;
      continue;
    }
    inputs.insert(inputs.end(), found->begin(), found->end());
  }
  return inputs;
}

std::string CsvLine(const matcher::PdqResult& result, const fs::path& path) {
  std::string line;
  if (result.dihedral) {
    for (const matcher::PdqHash& hash : *result.dihedral) line += hash.ToHex() + ",";
  } else {
    line = result.hash.ToHex() + ",";
  }
  return line + std::to_string(result.quality) + "," + path.string();
}

std::string JsonLine(const matcher::PdqResult& result, const fs::path& path) {
  nlohmann::json line = {{"path", path.string()}, {"hash", result.hash.ToHex()}, {"quality", result.quality}};
  if (result.dihedral) {
    nlohmann::json hashes = nlohmann::json::array();
    for (const matcher::PdqHash& hash : *result.dihedral) hashes.push_back(hash.ToHex());
    line["dihedral"] = hashes;
  }
  // Paths need not be UTF-8: replace what is not, rather than fail.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int RunHash(const HashArgs& args) {
  int failures = 0;
  const std::vector<fs::path> inputs = CollectInputs(args.paths, failures);
  const matcher::DecodeOptions options{
      .mode = args.reference ? matcher::DecodeMode::kReference : matcher::DecodeMode::kFast,
      .dihedral = args.dihedral};
  ProgressBar progress("hashing", inputs.size());
  for (std::size_t n = 0; n < inputs.size(); ++n) {
    const Result<matcher::PdqResult> result = matcher::HashImageFile(inputs[n], options);
    if (result.ok()) {
      const std::string line = args.json ? JsonLine(*result, inputs[n]) : CsvLine(*result, inputs[n]);
      std::printf("%s\n", line.c_str());
    } else {
      std::fprintf(stderr, "hashveil hash: input %zu of %zu: %s\n", n + 1, inputs.size(),
                   result.status().ToString().c_str());
      ++failures;
    }
    progress.Advance();
  }
  progress.Finish();
  std::fflush(stdout);
  return failures == 0 ? kExitOk : kExitSomeFailed;
}

}  // namespace

void AddHashCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<HashArgs>();
  CLI::App* cmd = app.add_subcommand("hash", "PDQ hash of each image (directories recursed)");
  cmd->add_option("paths", args->paths, "image files or directories")->required();
  cmd->add_flag("--dihedral", args->dihedral, "print the 8 dihedral hashes, then quality and path");
  cmd->add_flag("--reference", args->reference,
                "decode fully as the reference CLI does (bit-identical hashes; slower)");
  cmd->add_flag("--json", args->json, "print one JSON object per image (JSON Lines)");
  cmd->callback([args, exit_code] { *exit_code = RunHash(*args); });
}

}  // namespace hashveil::tools
