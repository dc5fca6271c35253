// The policy's set as of a store revision, and the record of each publication: its digest, the
// revision its set was computed from, and the entries' original hashes with their sources.
#include <algorithm>
#include <thread>

#include "sqlite_source_store.h"

namespace hashveil::hashdb {

Result<IncludedSet> SqliteSourceStore::ComputeIncludedSet(
    const InclusionPolicy& policy, const ProgressCallback& progress,
    std::optional<std::uint64_t> at_revision) {
  std::vector<SourceInfo> sources;
  std::vector<HeldHash> held;
  std::uint64_t revision = 0;
  {
    // One snapshot: an import committing meanwhile must not add holdings this read did not see.
    HV_ASSIGN_OR_RETURN(auto snapshot, SqliteTransaction::BeginRead(db_));
    HV_ASSIGN_OR_RETURN(const std::uint64_t current, CurrentRevision());
    if (at_revision && *at_revision > current) {
      return Status::NotFound("the store has no revision " + std::to_string(*at_revision) +
                              " (its latest is " + std::to_string(current) + ")");
    }
    revision = at_revision.value_or(current);
    HV_RETURN_IF_ERROR(LoadHoldings(revision, sources, held));
  }
  HV_ASSIGN_OR_RETURN(
      IncludedSet set,
      ApplyInclusionPolicy(policy, sources, held, std::max(1u, std::thread::hardware_concurrency()),
                           progress));
  set.revision = revision;
  return set;
}

// Every source (in id order) and every distinct hash held at `revision`, with its holders and
// the highest quality they stated. Runs inside the caller's read transaction.
Status SqliteSourceStore::LoadHoldings(std::uint64_t revision, std::vector<SourceInfo>& sources,
                                       std::vector<HeldHash>& held) {
  std::vector<std::int64_t> source_ids;  // sources[k] has id source_ids[k], ascending
  HV_ASSIGN_OR_RETURN(auto source_rows,
                      db_.Prepare("SELECT id, name, organisation, jurisdiction FROM sources"
                                  " ORDER BY id"));
  while (true) {
    HV_ASSIGN_OR_RETURN(const bool row, source_rows.Step());
    if (!row) break;
    source_ids.push_back(source_rows.Int(0));
    sources.push_back({source_rows.Text(1), source_rows.Text(2), source_rows.Text(3)});
  }
  HV_ASSIGN_OR_RETURN(auto statement,
                      db_.Prepare("SELECT holdings.hash_id, hashes.bits, holdings.source_id,"
                                  " holdings.quality FROM holdings"
                                  " JOIN hashes ON hashes.id = holdings.hash_id"
                                  " WHERE holdings.added_rev <= ?1 AND"
                                  " (holdings.removed_rev IS NULL OR holdings.removed_rev > ?1)"
                                  " ORDER BY holdings.hash_id"));
  statement.Bind(1, static_cast<std::int64_t>(revision));
  std::int64_t current_hash_id = -1;
  while (true) {
    HV_ASSIGN_OR_RETURN(const bool row, statement.Step());
    if (!row) break;
    if (statement.Int(0) != current_hash_id) {
      current_hash_id = statement.Int(0);
      HV_ASSIGN_OR_RETURN(const auto hash, HashFromBlob(statement.Blob(1)));
      held.push_back({hash, std::nullopt, {}});
    }
    HeldHash& hash = held.back();
    const auto source = std::lower_bound(source_ids.begin(), source_ids.end(), statement.Int(2));
    if (source == source_ids.end() || *source != statement.Int(2)) {
      return Status::Corrupt("a holding names a source that does not exist");
    }
    const auto holder = static_cast<std::uint32_t>(source - source_ids.begin());
    if (std::find(hash.holders.begin(), hash.holders.end(), holder) != hash.holders.end()) {
      return Status::Corrupt("a source holds a hash twice at one revision");
    }
    hash.holders.push_back(holder);
    if (!statement.IsNull(3)) {
      const auto quality = static_cast<std::uint32_t>(statement.Int(3));
      hash.quality = std::max(hash.quality.value_or(0), quality);
    }
  }
  return Status::Ok();
}

Status SqliteSourceStore::RecordPublication(std::uint64_t epoch, const Digest& digest,
                                            const IncludedSet& set) {
  HV_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(db_));
  HV_ASSIGN_OR_RETURN(auto existing,
                      db_.Prepare("SELECT digest FROM publications WHERE epoch = ?"));
  existing.Bind(1, static_cast<std::int64_t>(epoch));
  HV_ASSIGN_OR_RETURN(const bool recorded, existing.Step());
  if (recorded) {
    const auto stored = existing.Blob(0);
    if (stored.size() == digest.size() &&
        std::equal(stored.begin(), stored.end(), digest.begin())) {
      return Status::Ok();  // the same DB recorded again
    }
    return Status::FailedPrecondition("epoch " + std::to_string(epoch) +
                                      " was already published with another digest");
  }
  HV_ASSIGN_OR_RETURN(auto publication,
                      db_.Prepare(std::string("INSERT INTO publications(epoch, digest,"
                                              " published_at, revision) VALUES(?, ?, ") +
                                  kSqlNow + ", ?)"));
  HV_RETURN_IF_ERROR(publication.Bind(1, static_cast<std::int64_t>(epoch))
                         .Bind(2, std::span(digest))
                         .Bind(3, static_cast<std::int64_t>(set.revision))
                         .Run());
  HV_ASSIGN_OR_RETURN(auto entry_row,
                      db_.Prepare("INSERT INTO published_entries(epoch, ordinal, bits, quality)"
                                  " VALUES(?, ?, ?, ?)"));
  HV_ASSIGN_OR_RETURN(auto source_row,
                      db_.Prepare("INSERT INTO published_entry_sources(epoch, ordinal,"
                                  " source_name) VALUES(?, ?, ?)"));
  for (std::size_t ordinal = 0; ordinal < set.entries.size(); ++ordinal) {
    const PublishedEntry& entry = set.entries[ordinal];
    const auto bits = entry.hash.ToBytes();
    HV_RETURN_IF_ERROR(entry_row.Bind(1, static_cast<std::int64_t>(epoch))
                           .Bind(2, static_cast<std::int64_t>(ordinal))
                           .Bind(3, std::span(bits))
                           .Bind(4, static_cast<std::int64_t>(entry.quality))
                           .Run()
                           .WithContext("recording publication"));
    for (const std::string& name : entry.sources) {
      HV_RETURN_IF_ERROR(source_row.Bind(1, static_cast<std::int64_t>(epoch))
                             .Bind(2, static_cast<std::int64_t>(ordinal))
                             .Bind(3, name)
                             .Run()
                             .WithContext("recording publication"));
    }
  }
  return transaction.Commit();
}

Result<PublicationRecord> SqliteSourceStore::FindPublication(std::uint64_t epoch) {
  HV_ASSIGN_OR_RETURN(auto find,
                      db_.Prepare("SELECT digest, revision FROM publications WHERE epoch = ?"));
  find.Bind(1, static_cast<std::int64_t>(epoch));
  HV_ASSIGN_OR_RETURN(const bool found, find.Step());
  if (!found) return Status::NotFound("no DB of epoch " + std::to_string(epoch) + " was published");
  PublicationRecord record;
  const auto digest = find.Blob(0);
  if (digest.size() != record.digest.size())
    return Status::Corrupt("a publication's digest is not 32 bytes");
  std::copy(digest.begin(), digest.end(), record.digest.begin());
  if (!find.IsNull(1)) record.revision = static_cast<std::uint64_t>(find.Int(1));
  return record;
}

Result<std::optional<std::uint64_t>> SqliteSourceStore::LatestPublishedEpoch() {
  HV_ASSIGN_OR_RETURN(auto latest, db_.Prepare("SELECT max(epoch) FROM publications"));
  HV_ASSIGN_OR_RETURN(const bool row, latest.Step());
  if (!row || latest.IsNull(0)) return std::optional<std::uint64_t>();
  return std::optional<std::uint64_t>(static_cast<std::uint64_t>(latest.Int(0)));
}

Result<std::vector<PublishedEntry>> SqliteSourceStore::LoadPublication(std::uint64_t epoch) {
  HV_ASSIGN_OR_RETURN(auto snapshot, SqliteTransaction::BeginRead(db_));
  HV_ASSIGN_OR_RETURN(auto publication, db_.Prepare("SELECT 1 FROM publications WHERE epoch = ?"));
  publication.Bind(1, static_cast<std::int64_t>(epoch));
  HV_ASSIGN_OR_RETURN(const bool found, publication.Step());
  if (!found) return Status::NotFound("no DB of epoch " + std::to_string(epoch) + " was published");

  std::vector<PublishedEntry> entries;
  HV_ASSIGN_OR_RETURN(auto entry_rows,
                      db_.Prepare("SELECT ordinal, bits, quality FROM published_entries"
                                  " WHERE epoch = ? ORDER BY ordinal"));
  entry_rows.Bind(1, static_cast<std::int64_t>(epoch));
  while (true) {
    HV_ASSIGN_OR_RETURN(const bool row, entry_rows.Step());
    if (!row) break;
    if (entry_rows.Int(0) != static_cast<std::int64_t>(entries.size())) {
      return Status::Corrupt("published entries are not numbered consecutively");
    }
    HV_ASSIGN_OR_RETURN(const auto hash, HashFromBlob(entry_rows.Blob(1)));
    entries.push_back({hash, static_cast<std::uint32_t>(entry_rows.Int(2)), {}});
  }
  HV_ASSIGN_OR_RETURN(auto source_rows,
                      db_.Prepare("SELECT ordinal, source_name FROM published_entry_sources"
                                  " WHERE epoch = ? ORDER BY ordinal, source_name"));
  source_rows.Bind(1, static_cast<std::int64_t>(epoch));
  while (true) {
    HV_ASSIGN_OR_RETURN(const bool row, source_rows.Step());
    if (!row) break;
    const std::int64_t ordinal = source_rows.Int(0);
    if (ordinal < 0 || ordinal >= static_cast<std::int64_t>(entries.size())) {
      return Status::Corrupt("a published source names an entry that does not exist");
    }
    entries[static_cast<std::size_t>(ordinal)].sources.push_back(source_rows.Text(1));
  }
  return entries;
}

}  // namespace hashveil::hashdb
