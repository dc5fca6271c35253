// The corpus of an audit: the image files under a folder.
#pragma once

#include <filesystem>
#include <vector>

#include "hashveil/common/status.h"

namespace hashveil::audit {

// Files under `dir` (recursively) whose extension is one the matcher decodes (.jpg, .jpeg, .png,
// .webp, .bmp, .tif, .tiff; any case), sorted by path so image n is the same on every run.
// Errors: kNotFound (not a folder), kIoError (it cannot be read completely).
Result<std::vector<std::filesystem::path>> CorpusFiles(const std::filesystem::path& dir);

}  // namespace hashveil::audit
