// The builder's SQLite store of imported hash lists, with provenance per source (docs/design.md 6).
// Also keeps, per published DB epoch, the included entries' original hashes: the server's
// second-stage verification reads them; they never enter the .hvdb.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/publication.h"

namespace hashveil::hashdb {

struct SourceInfo {
  std::string name;          // unique per store, e.g. "ncmec-2026-11"
  std::string organisation;
  std::string jurisdiction;  // ISO 3166 alpha-2, e.g. "US"
};

// (done, total) progress for long operations; may be empty.
using ProgressCallback = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct ImportOptions {
  bool skip_bad_lines = false;  // else one bad line refuses the whole file
  ProgressCallback progress;    // rows written of the file's records; may be empty
};

// One already-computed hash, e.g. of an image in a folder being imported.
struct HashRecord {
  matcher::PdqHash hash;
  std::optional<std::uint32_t> quality;  // 0..100; none when unknown
};

struct SourceSummary {
  SourceInfo info;
  std::uint64_t hash_count = 0;    // distinct hashes the source holds
  std::uint64_t import_count = 0;  // files (or record sets) imported into it
};

struct ImportReport {
  std::uint64_t lines_read = 0;
  std::uint64_t hashes_imported = 0;   // new (source, hash) rows
  std::uint64_t lines_skipped = 0;     // only with skip_bad_lines
  std::vector<std::uint64_t> skipped_line_numbers;  // the first 100 of them
  bool already_imported = false;       // same file digest already imported: a no-op
};

// Thread-compatible: one SourceStore per thread.
class SourceStore {
 public:
  // Opens or creates the store (schema migrated on open). kIoError, kCorrupt (not a store),
  // kUnsupported (written by a newer hashveil).
  static Result<std::unique_ptr<SourceStore>> Open(const std::filesystem::path& path);
  virtual ~SourceStore() = default;

  // Imports a PDQ hash list (hex per line; CSV/TSV with a `hash` or `pdq` header column;
  // optional quality column) as one transaction. A bad line is kInvalidInput naming its line
  // number, and nothing is imported, unless options.skip_bad_lines.
  virtual Result<ImportReport> ImportHashList(const SourceInfo& source,
                                              const std::filesystem::path& file,
                                              const ImportOptions& options) = 0;

  // Imports already-computed hashes (an image folder's) as one transaction. Importing the same
  // records (same hashes and qualities in the same order) into the same source again is a no-op.
  // kInvalidInput for a quality above 100.
  virtual Result<ImportReport> ImportHashes(const SourceInfo& source,
                                            const std::vector<HashRecord>& records,
                                            const ImportOptions& options) = 0;

  // Every source, sorted by name.
  virtual Result<std::vector<SourceSummary>> ListSources() = 0;

  // The policy's set: entries of quality >= min_quality held by >= min_sources sources (from
  // distinct jurisdictions if asked), near-duplicates (<= merge_distance) merged into one entry.
  // Deterministic: the same store and policy give the same entries in the same order.
  virtual Result<std::vector<PublishedEntry>> ComputeIncludedSet(
      const InclusionPolicy& policy, const ProgressCallback& progress) = 0;

  // Records the entries published under `epoch` (with the DB digest); kFailedPrecondition if
  // that epoch was already recorded with another digest.
  virtual Status RecordPublication(std::uint64_t epoch, const Digest& digest,
                                   const std::vector<PublishedEntry>& entries) = 0;
  // kNotFound if no DB of that epoch was published from this store.
  virtual Result<std::vector<PublishedEntry>> LoadPublication(std::uint64_t epoch) = 0;
  // The newest epoch published from this store, if any.
  virtual Result<std::optional<std::uint64_t>> LatestPublishedEpoch() = 0;
};

}  // namespace hashveil::hashdb
