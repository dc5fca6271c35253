// The SQLite implementation of SourceStore (include/hashveil/hashdb/source_store.h), its methods
// split by job: source_store.cpp (opening, listing, history), source_store_import.cpp (imports
// and replacement lists), source_store_removal.cpp, source_store_publication.cpp (the policy's
// set at a revision, publications). Schema: source_store_schema.cpp, docs/hashdb.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hash_list_parser.h"
#include "hashveil/hashdb/source_store.h"
#include "inclusion_policy.h"
#include "sqlite_db.h"

namespace hashveil::hashdb {

// SQL for the current time as the store records it: UTC, ISO 8601.
inline constexpr const char* kSqlNow = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

// What an import writes: the records, with what the parse saw.
struct ImportBatch {
  Digest digest{};
  std::vector<HashRecord> records;
  std::uint64_t lines_read = 0;
  std::vector<BadLine> bad_lines;
  std::string format;
};

class SqliteSourceStore final : public SourceStore {
 public:
  explicit SqliteSourceStore(SqliteDb db) : db_(std::move(db)) {}

  Result<ImportReport> ImportHashList(const SourceInfo& source, const std::filesystem::path& file,
                                      const ImportOptions& options) override;
  Result<ImportReport> ImportHashes(const SourceInfo& source,
                                    const std::vector<HashRecord>& records,
                                    const ImportOptions& options) override;
  Result<RemovalReport> RemoveHashes(const std::string& source,
                                     const std::vector<matcher::PdqHash>& hashes,
                                     const std::string& reason) override;
  Result<RemovalReport> RemoveSource(const std::string& source, const std::string& reason) override;
  Result<std::vector<SourceSummary>> ListSources() override;
  Result<std::vector<StoreChange>> History() override;
  Result<IncludedSet> ComputeIncludedSet(const InclusionPolicy& policy,
                                         const ProgressCallback& progress,
                                         std::optional<std::uint64_t> at_revision) override;
  Status RecordPublication(std::uint64_t epoch, const Digest& digest,
                           const IncludedSet& set) override;
  Result<PublicationRecord> FindPublication(std::uint64_t epoch) override;
  Result<std::vector<PublishedEntry>> LoadPublication(std::uint64_t epoch) override;
  Result<std::optional<std::uint64_t>> LatestPublishedEpoch() override;

 private:
  // source_store.cpp
  Result<std::optional<std::int64_t>> FindSourceId(const std::string& name);
  // Appends a revision row; returns its number. `source_id` none: every source.
  Result<std::int64_t> AddRevision(ChangeKind kind, std::optional<std::int64_t> source_id,
                                   std::uint64_t added, std::uint64_t removed,
                                   const std::string& reason);
  Result<std::uint64_t> CurrentRevision();
  Result<matcher::PdqHash> HashFromBlob(std::span<const std::uint8_t> blob);

  // source_store_import.cpp
  Result<ImportReport> Import(const SourceInfo& source, const ImportBatch& batch,
                              const ImportOptions& options);
  Result<std::int64_t> FindOrCreateSource(const SourceInfo& source);
  Result<bool> AlreadyImported(std::int64_t source_id, const Digest& digest);
  Result<std::uint64_t> AddHoldings(std::int64_t source_id, std::int64_t revision,
                                    const std::vector<HashRecord>& records, bool replace,
                                    const ProgressCallback& progress, std::uint64_t& added);
  Result<std::uint64_t> RemoveHoldingsNotIn(std::int64_t source_id, std::int64_t revision,
                                            const std::vector<HashRecord>& records);

  // source_store_removal.cpp
  Result<std::optional<std::int64_t>> SourceToChange(const std::string& name);
  Status ValidateReason(const std::string& reason);

  // source_store_publication.cpp
  Status LoadHoldings(std::uint64_t revision, std::vector<SourceInfo>& sources,
                      std::vector<HeldHash>& held);

  SqliteDb db_;
};

}  // namespace hashveil::hashdb
