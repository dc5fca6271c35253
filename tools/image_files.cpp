#include "image_files.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace hashveil::tools {

bool HasImageExtension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* known : {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}) {
    if (ext == known) return true;
  }
  return false;
}

Result<std::vector<std::filesystem::path>> ImageFilesUnder(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file(ec) && HasImageExtension(it->path())) files.push_back(it->path());
  }
  if (ec) return Status::IoError("cannot read the folder completely");
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace hashveil::tools
