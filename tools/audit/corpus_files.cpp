#include "audit/corpus_files.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "hashveil/common/secret_file.h"
#include "hashveil/matcher/pdq_hasher.h"

namespace hashveil::audit {
namespace {

constexpr std::uint64_t kMaxFileBytes = 256ull << 20;  // as HashCorpus

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

CorpusAccounting AccountForFiles(const std::vector<std::filesystem::path>& files,
                                 const CorpusHashes& corpus) {
  CorpusAccounting accounting;
  if (corpus.images.size() == files.size()) {
    for (std::size_t i = 0; i < files.size(); ++i) accounting.image_files.push_back(i);
    return accounting;
  }
  // HashCorpus keeps the usable images in file order, so they are matched in order.
  std::size_t next = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const Result<std::vector<std::uint8_t>> bytes = ReadFileBytes(files[i], kMaxFileBytes);
    if (!bytes.ok()) {
      accounting.rejected.push_back({files[i], "could not be read"});
      continue;
    }
    const Result<matcher::PdqResult> hashed = matcher::HashEncodedImage(*bytes);
    if (!hashed.ok()) {
      accounting.rejected.push_back({files[i], "not a decodable image"});
    } else if (hashed->quality < matcher::kPdqMinQuality) {
      accounting.rejected.push_back({files[i], "PDQ quality " + std::to_string(hashed->quality) +
                                                   " is under " +
                                                   std::to_string(matcher::kPdqMinQuality)});
    } else if (next < corpus.images.size() && corpus.images[next].original.hash == hashed->hash) {
      accounting.image_files.push_back(i);
      ++next;
    } else {
      accounting.rejected.push_back({files[i], "could not be decoded at the working size"});
    }
  }
  return accounting;
}

}  // namespace hashveil::audit
