// The corpus of an audit: the image files under a folder, and which of them the audit could use.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "audit/corpus_hashes.h"
#include "hashveil/common/status.h"

namespace hashveil::audit {

// Files under `dir` (recursively) whose extension is one the matcher decodes (.jpg, .jpeg, .png,
// .webp, .bmp, .tif, .tiff; any case), sorted by path so image n is the same on every run.
// Errors: kNotFound (not a folder), kIoError (it cannot be read completely).
Result<std::vector<std::filesystem::path>> CorpusFiles(const std::filesystem::path& dir);

// A corpus file the audit could not use, and why (for the audit's own per-file report: the
// auditor named the folder, so file names are fine there; never hashes).
struct RejectedFile {
  std::filesystem::path file;
  std::string reason;
};

struct CorpusAccounting {
  std::vector<std::size_t> image_files;  // per CorpusHashes image, its index in `files`
  std::vector<RejectedFile> rejected;    // in file order
};

// Which file each usable image of `corpus` (HashCorpus of `files`) came from, and why the others
// were not used. When every file was usable this costs nothing; otherwise each file is read and
// its hash computed again (one fast decode, no transforms) to tell the reasons apart.
CorpusAccounting AccountForFiles(const std::vector<std::filesystem::path>& files,
                                 const CorpusHashes& corpus);

}  // namespace hashveil::audit
