// Imports into the source store: a list adds to its source, or with ImportOptions::replace
// becomes the source's whole list. Each import that changes anything is one revision.
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "hashveil/common/secret_file.h"
#include "sqlite_source_store.h"

namespace hashveil::hashdb {
namespace {

// Hash lists are read whole; no real list comes near this (1M hashes with paths is ~100 MB).
constexpr std::size_t kMaxHashListBytes = std::size_t{1} << 30;
constexpr std::size_t kMaxSourceFieldBytes = 256;
constexpr std::size_t kMaxListedSkippedLines = 100;
constexpr std::uint64_t kProgressEvery = 4096;

Digest DigestOf(std::span<const std::uint8_t> bytes) {
  Digest digest{};
  crypto_generichash(digest.data(), digest.size(), bytes.data(), bytes.size(), nullptr, 0);
  return digest;
}

// The canonical bytes of a record set: per record its 32 hash bytes and one quality byte
// (0xff when unknown), so the same records in the same order give the same digest.
Digest DigestOfRecords(const std::vector<HashRecord>& records) {
  static constexpr char kDomain[] = "hashveil/source-store/records";
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  crypto_generichash_update(&state, reinterpret_cast<const std::uint8_t*>(kDomain),
                            sizeof(kDomain) - 1);
  for (const HashRecord& record : records) {
    const auto bits = record.hash.ToBytes();
    crypto_generichash_update(&state, bits.data(), bits.size());
    const std::uint8_t quality = record.quality ? static_cast<std::uint8_t>(*record.quality) : 0xff;
    crypto_generichash_update(&state, &quality, 1);
  }
  Digest digest{};
  crypto_generichash_final(&state, digest.data(), digest.size());
  return digest;
}

// Checks a source's fields; returns it with the jurisdiction upper-cased.
Result<SourceInfo> ValidateSource(const SourceInfo& source) {
  const auto printable = [](const std::string& text) {
    return std::none_of(text.begin(), text.end(),
                        [](unsigned char c) { return c < 0x20 || c == 0x7f; });
  };
  if (source.name.empty() || source.name.size() > kMaxSourceFieldBytes || !printable(source.name)) {
    return Status::InvalidInput("source name must be 1..256 printable bytes");
  }
  if (source.organisation.size() > kMaxSourceFieldBytes || !printable(source.organisation)) {
    return Status::InvalidInput("source organisation must be at most 256 printable bytes");
  }
  SourceInfo valid = source;
  for (char& c : valid.jurisdiction)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (valid.jurisdiction.size() != 2 ||
      !std::all_of(valid.jurisdiction.begin(), valid.jurisdiction.end(),
                   [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return Status::InvalidInput("jurisdiction must be an ISO 3166 alpha-2 code such as US");
  }
  return valid;
}

// One record per hash, in first-seen order, with the highest quality the input states for it
// (a stated quality beats none).
std::vector<HashRecord> DistinctRecords(const std::vector<HashRecord>& records) {
  std::vector<HashRecord> distinct;
  std::map<std::array<std::uint8_t, 32>, std::size_t> position;
  for (const HashRecord& record : records) {
    const auto [it, inserted] = position.emplace(record.hash.ToBytes(), distinct.size());
    if (inserted) {
      distinct.push_back(record);
      continue;
    }
    auto& quality = distinct[it->second].quality;
    if (record.quality && (!quality || *record.quality > *quality)) quality = record.quality;
  }
  return distinct;
}

// Whether a held quality changes to `stated`: an import only raises it (a stated quality beats
// none); a replacement list sets it to what it states.
bool QualityChanges(std::optional<std::int64_t> held, std::optional<std::int64_t> stated,
                    bool replace) {
  if (replace) return held != stated;
  return stated && (!held || *stated > *held);
}

}  // namespace

Result<ImportReport> SqliteSourceStore::ImportHashList(const SourceInfo& source,
                                                       const std::filesystem::path& file,
                                                       const ImportOptions& options) {
  HV_ASSIGN_OR_RETURN(const auto bytes, ReadFileBytes(file, kMaxHashListBytes));
  ImportBatch batch;
  batch.digest = DigestOf(bytes);
  ParsedHashList parsed = ParseHashList(bytes);
  batch.lines_read = parsed.lines_read;
  batch.bad_lines = std::move(parsed.bad_lines);
  batch.format = std::move(parsed.format);
  batch.records.reserve(parsed.entries.size());
  for (const HashListEntry& entry : parsed.entries) {
    batch.records.push_back({entry.hash, entry.quality});
  }
  return Import(source, batch, options);
}

Result<ImportReport> SqliteSourceStore::ImportHashes(const SourceInfo& source,
                                                     const std::vector<HashRecord>& records,
                                                     const ImportOptions& options) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].quality && *records[i].quality > 100) {
      return Status::InvalidInput("record " + std::to_string(i + 1) +
                                  ": quality is not an integer 0..100");
    }
  }
  ImportBatch batch;
  batch.digest = DigestOfRecords(records);
  batch.records = records;
  batch.lines_read = records.size();
  batch.format = "records";
  return Import(source, batch, options);
}

Result<ImportReport> SqliteSourceStore::Import(const SourceInfo& unchecked_source,
                                               const ImportBatch& batch,
                                               const ImportOptions& options) {
  HV_ASSIGN_OR_RETURN(const SourceInfo source, ValidateSource(unchecked_source));
  if (options.replace && options.skip_bad_lines) {
    return Status::InvalidInput(
        "a replacement list must be read whole: skipping a bad line would drop its hash");
  }
  ImportReport report;
  report.lines_read = batch.lines_read;
  report.format = batch.format;

  HV_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(db_));
  HV_ASSIGN_OR_RETURN(const std::int64_t source_id, FindOrCreateSource(source));
  if (!options.replace) {
    HV_ASSIGN_OR_RETURN(report.already_imported, AlreadyImported(source_id, batch.digest));
    if (report.already_imported) return report;  // rolls back: nothing was written
  }
  if (!batch.bad_lines.empty() && !options.skip_bad_lines) {
    const BadLine& first = batch.bad_lines.front();
    return Status::InvalidInput("line " + std::to_string(first.line) + ": " + first.reason + " (" +
                                std::to_string(batch.bad_lines.size()) +
                                " bad lines; nothing imported)");
  }
  if (options.replace && batch.records.empty()) {
    return Status::InvalidInput(
        "a replacement list with no hash would empty the source (db remove --source does "
        "that)");
  }
  report.lines_skipped = batch.bad_lines.size();
  for (std::size_t i = 0; i < std::min(batch.bad_lines.size(), kMaxListedSkippedLines); ++i) {
    report.skipped_line_numbers.push_back(batch.bad_lines[i].line);
  }

  const ChangeKind kind = options.replace ? ChangeKind::kReplace : ChangeKind::kImport;
  HV_ASSIGN_OR_RETURN(const std::int64_t revision, AddRevision(kind, source_id, 0, 0, ""));
  const std::vector<HashRecord> records = DistinctRecords(batch.records);
  if (options.replace) {
    HV_ASSIGN_OR_RETURN(report.hashes_removed, RemoveHoldingsNotIn(source_id, revision, records));
  }
  HV_ASSIGN_OR_RETURN(const std::uint64_t changed,
                      AddHoldings(source_id, revision, records, options.replace, options.progress,
                                  report.hashes_imported));
  if (changed == 0 && report.hashes_removed == 0) {
    // The source already holds exactly this: no revision (and the rollback drops it).
    report.already_imported = options.replace;
    return report;
  }

  HV_ASSIGN_OR_RETURN(auto import_row,
                      db_.Prepare(std::string("INSERT INTO imports(source_id, digest,"
                                              " imported_at, lines_read, hashes_imported,"
                                              " lines_skipped, revision) VALUES(?, ?, ") +
                                  kSqlNow + ", ?, ?, ?, ?)"));
  HV_RETURN_IF_ERROR(import_row.Bind(1, source_id)
                         .Bind(2, std::span(batch.digest))
                         .Bind(3, static_cast<std::int64_t>(report.lines_read))
                         .Bind(4, static_cast<std::int64_t>(report.hashes_imported))
                         .Bind(5, static_cast<std::int64_t>(report.lines_skipped))
                         .Bind(6, revision)
                         .Run());
  HV_ASSIGN_OR_RETURN(auto counts,
                      db_.Prepare("UPDATE revisions SET added = ?, removed = ? WHERE id = ?"));
  HV_RETURN_IF_ERROR(counts.Bind(1, static_cast<std::int64_t>(report.hashes_imported))
                         .Bind(2, static_cast<std::int64_t>(report.hashes_removed))
                         .Bind(3, revision)
                         .Run());
  HV_RETURN_IF_ERROR(transaction.Commit());
  report.revision = static_cast<std::uint64_t>(revision);
  return report;
}

// The source's id, created when new. kFailedPrecondition when the name exists with another
// organisation or jurisdiction.
Result<std::int64_t> SqliteSourceStore::FindOrCreateSource(const SourceInfo& source) {
  HV_ASSIGN_OR_RETURN(auto find, db_.Prepare("SELECT id, organisation, jurisdiction FROM sources"
                                             " WHERE name = ?"));
  find.Bind(1, source.name);
  HV_ASSIGN_OR_RETURN(const bool exists, find.Step());
  if (exists) {
    if (find.Text(1) != source.organisation || find.Text(2) != source.jurisdiction) {
      return Status::FailedPrecondition(
          "the source exists with another organisation or jurisdiction");
    }
    return find.Int(0);
  }
  HV_ASSIGN_OR_RETURN(auto insert,
                      db_.Prepare(std::string("INSERT INTO sources(name, organisation,"
                                              " jurisdiction, created_at) VALUES(?, ?, ?, ") +
                                  kSqlNow + ")"));
  HV_RETURN_IF_ERROR(
      insert.Bind(1, source.name).Bind(2, source.organisation).Bind(3, source.jurisdiction).Run());
  return db_.LastInsertRowId();
}

// The same input was imported into this source and nothing has been taken from the source since
// (only imports followed, which never remove): importing it again would change nothing.
Result<bool> SqliteSourceStore::AlreadyImported(std::int64_t source_id, const Digest& digest) {
  HV_ASSIGN_OR_RETURN(
      auto find,
      db_.Prepare("SELECT 1 FROM imports i WHERE i.source_id = ?1 AND i.digest = ?2"
                  " AND NOT EXISTS (SELECT 1 FROM revisions r WHERE r.id > i.revision"
                  " AND r.action != 'import' AND (r.source_id = ?1 OR r.source_id IS NULL))"));
  find.Bind(1, source_id).Bind(2, std::span(digest));
  return find.Step();
}

// Adds the records to the source at `revision`; a held hash whose quality changes is removed and
// added again with the new quality, so the old one stays readable at earlier revisions. Returns
// how many holdings changed; `added` counts the (source, hash) holdings that are new.
Result<std::uint64_t> SqliteSourceStore::AddHoldings(std::int64_t source_id, std::int64_t revision,
                                                     const std::vector<HashRecord>& records,
                                                     bool replace, const ProgressCallback& progress,
                                                     std::uint64_t& added) {
  HV_ASSIGN_OR_RETURN(auto insert_hash,
                      db_.Prepare("INSERT OR IGNORE INTO hashes(bits) VALUES(?)"));
  HV_ASSIGN_OR_RETURN(auto find_hash, db_.Prepare("SELECT id FROM hashes WHERE bits = ?"));
  HV_ASSIGN_OR_RETURN(auto insert_holding,
                      db_.Prepare("INSERT OR IGNORE INTO holdings(hash_id, source_id, quality,"
                                  " added_rev) VALUES(?, ?, ?, ?)"));
  HV_ASSIGN_OR_RETURN(auto find_holding,
                      db_.Prepare("SELECT id, quality FROM holdings WHERE hash_id = ? AND"
                                  " source_id = ? AND removed_rev IS NULL"));
  HV_ASSIGN_OR_RETURN(auto retire_holding,
                      db_.Prepare("UPDATE holdings SET removed_rev = ? WHERE id = ?"));
  std::uint64_t changed = 0;
  added = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto bits = records[i].hash.ToBytes();
    HV_RETURN_IF_ERROR(insert_hash.Bind(1, std::span(bits)).Run());
    std::int64_t hash_id = db_.LastInsertRowId();
    if (db_.Changes() == 0) {
      find_hash.Bind(1, std::span(bits));
      HV_ASSIGN_OR_RETURN(const bool found, find_hash.Step());
      if (!found) return Status::Internal("a hash vanished during its import");
      hash_id = find_hash.Int(0);
      find_hash.Reset();
    }
    std::optional<std::int64_t> quality;
    if (records[i].quality) quality = *records[i].quality;
    HV_RETURN_IF_ERROR(insert_holding.Bind(1, hash_id)
                           .Bind(2, source_id)
                           .Bind(3, quality)
                           .Bind(4, revision)
                           .Run());
    if (db_.Changes() == 1) {
      ++added;
      ++changed;
    } else {
      find_holding.Bind(1, hash_id).Bind(2, source_id);
      HV_ASSIGN_OR_RETURN(const bool found, find_holding.Step());
      if (!found) return Status::Internal("a holding vanished during its import");
      const std::int64_t holding_id = find_holding.Int(0);
      std::optional<std::int64_t> held;
      if (!find_holding.IsNull(1)) held = find_holding.Int(1);
      find_holding.Reset();
      if (QualityChanges(held, quality, replace)) {
        HV_RETURN_IF_ERROR(retire_holding.Bind(1, revision).Bind(2, holding_id).Run());
        HV_RETURN_IF_ERROR(insert_holding.Bind(1, hash_id)
                               .Bind(2, source_id)
                               .Bind(3, quality)
                               .Bind(4, revision)
                               .Run());
        ++changed;
      }
    }
    if (progress && (i + 1) % kProgressEvery == 0) progress(i + 1, records.size());
  }
  if (progress) progress(records.size(), records.size());
  return changed;
}

// Marks removed, at `revision`, every hash the source holds that `records` lacks; returns how
// many.
Result<std::uint64_t> SqliteSourceStore::RemoveHoldingsNotIn(
    std::int64_t source_id, std::int64_t revision, const std::vector<HashRecord>& records) {
  std::vector<std::array<std::uint8_t, 32>> kept;
  kept.reserve(records.size());
  for (const HashRecord& record : records) kept.push_back(record.hash.ToBytes());
  std::sort(kept.begin(), kept.end());

  HV_ASSIGN_OR_RETURN(auto held,
                      db_.Prepare("SELECT holdings.id, hashes.bits FROM holdings JOIN hashes ON"
                                  " hashes.id = holdings.hash_id WHERE holdings.source_id = ?"
                                  " AND holdings.removed_rev IS NULL"));
  held.Bind(1, source_id);
  std::vector<std::int64_t> dropped;
  while (true) {
    HV_ASSIGN_OR_RETURN(const bool row, held.Step());
    if (!row) break;
    const auto blob = held.Blob(1);
    if (blob.size() != 32) return Status::Corrupt("a stored hash is not 32 bytes");
    std::array<std::uint8_t, 32> bits{};
    std::copy(blob.begin(), blob.end(), bits.begin());
    if (!std::binary_search(kept.begin(), kept.end(), bits)) dropped.push_back(held.Int(0));
  }
  HV_ASSIGN_OR_RETURN(auto retire, db_.Prepare("UPDATE holdings SET removed_rev = ? WHERE id = ?"));
  for (const std::int64_t id : dropped) {
    HV_RETURN_IF_ERROR(retire.Bind(1, revision).Bind(2, id).Run());
  }
  return dropped.size();
}

}  // namespace hashveil::hashdb
