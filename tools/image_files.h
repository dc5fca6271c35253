// Finding the images in a folder for commands that hash folders (`db import DIR`).
#pragma once

#include <filesystem>
#include <vector>

#include "hashveil/common/status.h"

namespace hashveil::tools {

// JPEG, PNG, WebP, BMP or TIFF by extension (case-insensitive): what the matcher decodes.
bool HasImageExtension(const std::filesystem::path& path);

// The image files under `dir`, recursively, in sorted path order (so a folder hashes to the same
// record sequence every time). kIoError when the folder cannot be read completely.
Result<std::vector<std::filesystem::path>> ImageFilesUnder(const std::filesystem::path& dir);

}  // namespace hashveil::tools
