// Removals from the source store: hashes (from one source or every one) or a source's whole
// list. A removal marks holdings removed at a new revision; nothing is deleted, so an earlier
// publication's input stays readable (docs/hashdb.md, "Changing a source").
#include <algorithm>

#include "sqlite_source_store.h"

namespace hashveil::hashdb {
namespace {

constexpr std::size_t kMaxReasonBytes = 1024;

}  // namespace

Status SqliteSourceStore::ValidateReason(const std::string& reason) {
  const bool printable = std::none_of(reason.begin(), reason.end(),
                                      [](unsigned char c) { return c < 0x20 || c == 0x7f; });
  if (reason.size() > kMaxReasonBytes || !printable) {
    return Status::InvalidInput("a removal's reason must be at most 1024 printable bytes");
  }
  return Status::Ok();
}

// The id of the source named `name` (none for the empty name: every source); kNotFound when no
// source has that name.
Result<std::optional<std::int64_t>> SqliteSourceStore::SourceToChange(const std::string& name) {
  if (name.empty()) return std::optional<std::int64_t>();
  HV_ASSIGN_OR_RETURN(const auto id, FindSourceId(name));
  if (!id) return Status::NotFound("the store has no source of that name");
  return id;
}

Result<RemovalReport> SqliteSourceStore::RemoveHashes(const std::string& source,
                                                      const std::vector<matcher::PdqHash>& hashes,
                                                      const std::string& reason) {
  HV_RETURN_IF_ERROR(ValidateReason(reason));
  HV_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(db_));
  HV_ASSIGN_OR_RETURN(const auto source_id, SourceToChange(source));
  HV_ASSIGN_OR_RETURN(const std::int64_t revision,
                      AddRevision(ChangeKind::kRemoveHashes, source_id, 0, 0, reason));
  HV_ASSIGN_OR_RETURN(auto retire,
                      db_.Prepare("UPDATE holdings SET removed_rev = ?1 WHERE removed_rev IS NULL"
                                  " AND hash_id = (SELECT id FROM hashes WHERE bits = ?2)"
                                  " AND (?3 IS NULL OR source_id = ?3)"));
  RemovalReport report;
  for (const matcher::PdqHash& hash : hashes) {
    const auto bits = hash.ToBytes();
    HV_RETURN_IF_ERROR(retire.Bind(1, revision).Bind(2, std::span(bits)).Bind(3, source_id).Run());
    const auto removed = static_cast<std::uint64_t>(db_.Changes());
    report.holdings_removed += removed;
    if (removed == 0) ++report.hashes_not_held;
  }
  if (report.holdings_removed == 0) return report;  // rolls back: no revision for nothing
  HV_ASSIGN_OR_RETURN(auto counts, db_.Prepare("UPDATE revisions SET removed = ? WHERE id = ?"));
  HV_RETURN_IF_ERROR(
      counts.Bind(1, static_cast<std::int64_t>(report.holdings_removed)).Bind(2, revision).Run());
  HV_RETURN_IF_ERROR(transaction.Commit());
  report.revision = static_cast<std::uint64_t>(revision);
  return report;
}

Result<RemovalReport> SqliteSourceStore::RemoveSource(const std::string& source,
                                                      const std::string& reason) {
  HV_RETURN_IF_ERROR(ValidateReason(reason));
  if (source.empty()) return Status::InvalidInput("name the source to remove");
  HV_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(db_));
  HV_ASSIGN_OR_RETURN(const auto source_id, SourceToChange(source));
  HV_ASSIGN_OR_RETURN(auto count,
                      db_.Prepare("SELECT count(*) FROM holdings WHERE source_id = ? AND"
                                  " removed_rev IS NULL"));
  count.Bind(1, source_id);
  HV_ASSIGN_OR_RETURN(const bool row, count.Step());
  RemovalReport report;
  report.holdings_removed = row ? static_cast<std::uint64_t>(count.Int(0)) : 0;
  if (report.holdings_removed == 0) return report;
  HV_ASSIGN_OR_RETURN(const std::int64_t revision, AddRevision(ChangeKind::kRemoveSource, source_id,
                                                               0, report.holdings_removed, reason));
  HV_ASSIGN_OR_RETURN(auto retire,
                      db_.Prepare("UPDATE holdings SET removed_rev = ? WHERE source_id = ? AND"
                                  " removed_rev IS NULL"));
  HV_RETURN_IF_ERROR(retire.Bind(1, revision).Bind(2, source_id).Run());
  HV_RETURN_IF_ERROR(transaction.Commit());
  report.revision = static_cast<std::uint64_t>(revision);
  return report;
}

}  // namespace hashveil::hashdb
