// Opening a source store, and what it lists: sources, revisions. The changes themselves are in
// source_store_import.cpp and source_store_removal.cpp; publications in
// source_store_publication.cpp.
#include <sodium.h>

#include <algorithm>
#include <array>
#include <system_error>

#include "hashveil/common/secret_file.h"
#include "source_store_schema.h"
#include "sqlite_source_store.h"

namespace hashveil::hashdb {
namespace {

std::optional<ChangeKind> ChangeKindFromName(const std::string& name) {
  for (ChangeKind kind : {ChangeKind::kImport, ChangeKind::kReplace, ChangeKind::kRemoveHashes,
                          ChangeKind::kRemoveSource}) {
    if (name == ChangeKindName(kind)) return kind;
  }
  return std::nullopt;
}

Result<std::unique_ptr<SourceStore>> OpenStore(const std::filesystem::path& path) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  // The store holds every list's original hashes and their sources: created 0600 by us before
  // SQLite opens it (its WAL and shared-memory files take the store's mode), never another
  // user's file or a symbolic link (docs/threat-model.md, "Files and modes").
  HV_RETURN_IF_ERROR(EnsureOwnerOnlyDatabase(path).WithContext("source store"));
  HV_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  HV_RETURN_IF_ERROR(PrepareSourceStoreSchema(db).WithContext("opening source store"));
  return std::unique_ptr<SourceStore>(std::make_unique<SqliteSourceStore>(std::move(db)));
}

}  // namespace

const char* ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kImport: return "import";
    case ChangeKind::kReplace: return "replace";
    case ChangeKind::kRemoveHashes: return "remove-hashes";
    case ChangeKind::kRemoveSource: return "remove-source";
  }
  return "";
}

Result<std::unique_ptr<SourceStore>> SourceStore::Open(const std::filesystem::path& path) {
  return OpenStore(path);
}

Result<std::unique_ptr<SourceStore>> SourceStore::OpenExisting(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound("no such source store file");
  return OpenStore(path);
}

Result<std::vector<SourceSummary>> SqliteSourceStore::ListSources() {
  // removed: hashes the source held once and holds no more (a quality change is no removal).
  HV_ASSIGN_OR_RETURN(
      auto statement,
      db_.Prepare("SELECT name, organisation, jurisdiction,"
                  " (SELECT count(*) FROM holdings WHERE source_id = s.id AND removed_rev IS NULL),"
                  " (SELECT count(*) FROM imports WHERE source_id = s.id),"
                  " (SELECT count(DISTINCT hash_id) FROM holdings h WHERE h.source_id = s.id"
                  "   AND h.removed_rev IS NOT NULL AND NOT EXISTS (SELECT 1 FROM holdings l"
                  "   WHERE l.hash_id = h.hash_id AND l.source_id = s.id"
                  "   AND l.removed_rev IS NULL)),"
                  " (SELECT coalesce(max(id), 0) FROM revisions WHERE source_id = s.id)"
                  " FROM sources s ORDER BY name"));
  std::vector<SourceSummary> summaries;
  while (true) {
    HV_ASSIGN_OR_RETURN(const bool row, statement.Step());
    if (!row) break;
    summaries.push_back({{statement.Text(0), statement.Text(1), statement.Text(2)},
                         static_cast<std::uint64_t>(statement.Int(3)),
                         static_cast<std::uint64_t>(statement.Int(4)),
                         static_cast<std::uint64_t>(statement.Int(5)),
                         static_cast<std::uint64_t>(statement.Int(6))});
  }
  return summaries;
}

Result<std::vector<StoreChange>> SqliteSourceStore::History() {
  HV_ASSIGN_OR_RETURN(auto statement,
                      db_.Prepare("SELECT r.id, r.at, r.action, coalesce(s.name, ''), r.added,"
                                  " r.removed, r.reason FROM revisions r"
                                  " LEFT JOIN sources s ON s.id = r.source_id ORDER BY r.id"));
  std::vector<StoreChange> changes;
  while (true) {
    HV_ASSIGN_OR_RETURN(const bool row, statement.Step());
    if (!row) break;
    const auto kind = ChangeKindFromName(statement.Text(2));
    if (!kind) return Status::Corrupt("a revision names an unknown change");
    changes.push_back({static_cast<std::uint64_t>(statement.Int(0)), statement.Text(1), *kind,
                       statement.Text(3), static_cast<std::uint64_t>(statement.Int(4)),
                       static_cast<std::uint64_t>(statement.Int(5)), statement.Text(6)});
  }
  return changes;
}

Result<std::optional<std::int64_t>> SqliteSourceStore::FindSourceId(const std::string& name) {
  HV_ASSIGN_OR_RETURN(auto find, db_.Prepare("SELECT id FROM sources WHERE name = ?"));
  find.Bind(1, name);
  HV_ASSIGN_OR_RETURN(const bool found, find.Step());
  if (!found) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(find.Int(0));
}

Result<std::int64_t> SqliteSourceStore::AddRevision(ChangeKind kind,
                                                    std::optional<std::int64_t> source_id,
                                                    std::uint64_t added, std::uint64_t removed,
                                                    const std::string& reason) {
  HV_ASSIGN_OR_RETURN(auto insert,
                      db_.Prepare(std::string("INSERT INTO revisions(at, action, source_id, added,"
                                              " removed, reason) VALUES(") +
                                  kSqlNow + ", ?, ?, ?, ?, ?)"));
  HV_RETURN_IF_ERROR(insert.Bind(1, ChangeKindName(kind))
                         .Bind(2, source_id)
                         .Bind(3, static_cast<std::int64_t>(added))
                         .Bind(4, static_cast<std::int64_t>(removed))
                         .Bind(5, reason)
                         .Run()
                         .WithContext("recording a revision"));
  return db_.LastInsertRowId();
}

Result<std::uint64_t> SqliteSourceStore::CurrentRevision() {
  HV_ASSIGN_OR_RETURN(auto latest, db_.Prepare("SELECT coalesce(max(id), 0) FROM revisions"));
  HV_ASSIGN_OR_RETURN(const bool row, latest.Step());
  if (!row) return Status::Internal("max() returned no row");
  return static_cast<std::uint64_t>(latest.Int(0));
}

Result<matcher::PdqHash> SqliteSourceStore::HashFromBlob(std::span<const std::uint8_t> blob) {
  if (blob.size() != 32) return Status::Corrupt("a stored hash is not 32 bytes");
  std::array<std::uint8_t, 32> bytes{};
  std::copy(blob.begin(), blob.end(), bytes.begin());
  return matcher::PdqHash::FromBytes(bytes);
}

}  // namespace hashveil::hashdb
