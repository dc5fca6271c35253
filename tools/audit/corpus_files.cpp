#include "audit/corpus_files.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace hashveil::audit {
namespace {

bool IsImage(const std::filesystem::path& path) {
  static constexpr std::array<const char*, 7> kExtensions = {".jpg", ".jpeg", ".png", ".webp",
                                                             ".bmp", ".tif",  ".tiff"};
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

}  // namespace

Result<std::vector<std::filesystem::path>> CorpusFiles(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return Status::NotFound("corpus folder not found");
  std::vector<std::filesystem::path> files;
  std::filesystem::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && IsImage(it->path())) files.push_back(it->path());
  }
  if (ec) return Status::IoError("corpus folder could not be read completely");
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace hashveil::audit
