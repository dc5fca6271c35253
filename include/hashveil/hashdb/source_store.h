// The builder's SQLite store of imported hash lists, with provenance per source (docs/design.md 6,
// docs/hashdb.md). Every change (an import, a replacement list, a removal) is a numbered
// revision kept in the store: nothing is deleted, a removed holding is marked removed at its
// revision, so the store's content at any past revision can be read again. Each published DB
// epoch records the revision its set was computed from (what `audit db` recomputes) and the
// included entries' original hashes (what the server's second-stage verification reads; they
// never enter the .hvdb).
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
  // The input becomes the source's whole list: hashes the source holds that the input lacks are
  // removed, and each hash takes the quality the input states. Refused (kInvalidInput) with
  // skip_bad_lines (a skipped line's hash would be dropped) and for an input with no hash (use
  // RemoveSource to empty a source).
  bool replace = false;
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
  std::uint64_t removed_count = 0;  // holdings removed from it (by removals or replacements)
  std::uint64_t last_revision = 0;  // the latest revision that changed it
};

struct ImportReport {
  std::uint64_t lines_read = 0;
  std::uint64_t hashes_imported = 0;   // new (source, hash) rows
  std::uint64_t lines_skipped = 0;     // only with skip_bad_lines
  std::vector<std::uint64_t> skipped_line_numbers;  // the first 100 of them
  bool already_imported = false;       // same file digest already imported: a no-op
  std::uint64_t hashes_removed = 0;    // holdings the input dropped (only with replace)
  std::uint64_t revision = 0;          // the revision recorded; 0 when nothing changed
  // The layout a hash list was read as (docs/hashdb.md, "Import formats"), e.g. "csv" or
  // "hma1-rows"; "records" for ImportHashes; empty when no line fixed one.
  std::string format;
};

struct RemovalReport {
  std::uint64_t holdings_removed = 0;  // (source, hash) holdings marked removed
  std::uint64_t hashes_not_held = 0;   // hashes asked for that no named source held
  std::uint64_t revision = 0;          // 0 when nothing changed
};

// One revision of the store, as `db history` lists it.
enum class ChangeKind { kImport, kReplace, kRemoveHashes, kRemoveSource };
const char* ChangeKindName(ChangeKind kind);  // "import", "replace", "remove-hashes", ...

struct StoreChange {
  std::uint64_t revision = 0;
  std::string at;       // UTC, ISO 8601
  ChangeKind kind = ChangeKind::kImport;
  std::string source;   // empty: a hash removal from every source
  std::uint64_t added = 0;
  std::uint64_t removed = 0;
  std::string reason;   // as given to a removal; empty otherwise
};

struct PublicationRecord {
  Digest digest{};
  // The store revision the published set was computed from; none for a publication recorded
  // before the store kept revisions (schema 1).
  std::optional<std::uint64_t> revision;
};

// Thread-compatible: one SourceStore per thread.
class SourceStore {
 public:
  // Opens or creates the store (schema migrated on open). kIoError, kCorrupt (not a store),
  // kUnsupported (written by a newer hashveil).
  static Result<std::unique_ptr<SourceStore>> Open(const std::filesystem::path& path);
  // Opens a store that exists: kNotFound, never creating a file, for every reader (a mistyped
  // path must not become an empty store that audits or publishes nothing).
  static Result<std::unique_ptr<SourceStore>> OpenExisting(const std::filesystem::path& path);
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

  // Removes `hashes` from the source named `source`, or from every source holding them when
  // `source` is empty, as one revision recording `reason`. kNotFound for an unknown source.
  virtual Result<RemovalReport> RemoveHashes(const std::string& source,
                                             const std::vector<matcher::PdqHash>& hashes,
                                             const std::string& reason) = 0;
  // Removes every hash the source holds, as one revision; the source stays listed (an import
  // fills it again). kNotFound for an unknown source.
  virtual Result<RemovalReport> RemoveSource(const std::string& source,
                                             const std::string& reason) = 0;

  // Every source, sorted by name.
  virtual Result<std::vector<SourceSummary>> ListSources() = 0;
  // Every revision, oldest first.
  virtual Result<std::vector<StoreChange>> History() = 0;

  // The policy's set: entries of quality >= min_quality held by >= min_sources sources (from
  // distinct jurisdictions if asked), near-duplicates (<= merge_distance) merged into one entry,
  // computed from the store as it is (or as it was at `at_revision`; kNotFound for a revision
  // the store never had). Deterministic: the same content and policy give the same entries in
  // the same order.
  virtual Result<IncludedSet> ComputeIncludedSet(
      const InclusionPolicy& policy, const ProgressCallback& progress,
      std::optional<std::uint64_t> at_revision = std::nullopt) = 0;

  // Records the set published under `epoch` (with the DB digest and the set's revision);
  // kFailedPrecondition if that epoch was already recorded with another digest.
  virtual Status RecordPublication(std::uint64_t epoch, const Digest& digest,
                                   const IncludedSet& set) = 0;
  // kNotFound if no DB of that epoch was published from this store.
  virtual Result<PublicationRecord> FindPublication(std::uint64_t epoch) = 0;
  // The entries published under `epoch`. kNotFound if no DB of that epoch was published here.
  virtual Result<std::vector<PublishedEntry>> LoadPublication(std::uint64_t epoch) = 0;
  // The newest epoch published from this store, if any.
  virtual Result<std::optional<std::uint64_t>> LatestPublishedEpoch() = 0;
};

}  // namespace hashveil::hashdb
