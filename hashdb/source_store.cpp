#include "hashveil/hashdb/source_store.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "hash_list_parser.h"
#include "hashveil/common/secret_file.h"
#include "inclusion_policy.h"
#include "source_store_schema.h"
#include "sqlite_db.h"

namespace hashveil::hashdb {
namespace {

// Hash lists are read whole; no real list comes near this (1M hashes with paths is ~100 MB).
constexpr std::size_t kMaxHashListBytes = std::size_t{1} << 30;
constexpr std::size_t kMaxSourceFieldBytes = 256;
constexpr std::size_t kMaxListedSkippedLines = 100;
constexpr std::uint64_t kProgressEvery = 4096;

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

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
  for (char& c : valid.jurisdiction) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (valid.jurisdiction.size() != 2 ||
      !std::all_of(valid.jurisdiction.begin(), valid.jurisdiction.end(),
                   [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return Status::InvalidInput("jurisdiction must be an ISO 3166 alpha-2 code such as US");
  }
  return valid;
}

// What an import writes: the records, with what the parse saw.
struct ImportBatch {
  Digest digest{};
  std::vector<HashRecord> records;
  std::uint64_t lines_read = 0;
  std::vector<BadLine> bad_lines;
};

class SqliteSourceStore final : public SourceStore {
 public:
  explicit SqliteSourceStore(SqliteDb db) : db_(std::move(db)) {}

  Result<ImportReport> ImportHashList(const SourceInfo& source, const std::filesystem::path& file,
                                      const ImportOptions& options) override {
    HV_ASSIGN_OR_RETURN(const auto bytes, ReadFileBytes(file, kMaxHashListBytes));
    ImportBatch batch;
    batch.digest = DigestOf(bytes);
    ParsedHashList parsed = ParseHashList(bytes);
    batch.lines_read = parsed.lines_read;
    batch.bad_lines = std::move(parsed.bad_lines);
    batch.records.reserve(parsed.entries.size());
    for (const HashListEntry& entry : parsed.entries) {
      batch.records.push_back({entry.hash, entry.quality});
    }
    return Import(source, batch, options);
  }

  Result<ImportReport> ImportHashes(const SourceInfo& source,
                                    const std::vector<HashRecord>& records,
                                    const ImportOptions& options) override {
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
    return Import(source, batch, options);
  }

  Result<std::vector<SourceSummary>> ListSources() override {
    HV_ASSIGN_OR_RETURN(auto statement,
                        db_.Prepare("SELECT name, organisation, jurisdiction,"
                                    " (SELECT count(*) FROM holdings WHERE source_id = s.id),"
                                    " (SELECT count(*) FROM imports WHERE source_id = s.id)"
                                    " FROM sources s ORDER BY name"));
    std::vector<SourceSummary> summaries;
    while (true) {
      HV_ASSIGN_OR_RETURN(const bool row, statement.Step());
      if (!row) break;
      summaries.push_back({{statement.Text(0), statement.Text(1), statement.Text(2)},
                           static_cast<std::uint64_t>(statement.Int(3)),
                           static_cast<std::uint64_t>(statement.Int(4))});
    }
    return summaries;
  }

  Result<std::vector<PublishedEntry>> ComputeIncludedSet(const InclusionPolicy& policy,
                                                         const ProgressCallback& progress) override {
    std::vector<SourceInfo> sources;
    std::vector<HeldHash> held;
    HV_RETURN_IF_ERROR(LoadHoldings(sources, held));
    return ApplyInclusionPolicy(policy, sources, held,
                                std::max(1u, std::thread::hardware_concurrency()), progress);
  }

  Status RecordPublication(std::uint64_t epoch, const Digest& digest,
                           const std::vector<PublishedEntry>& entries) override {
    HV_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(db_));
    HV_ASSIGN_OR_RETURN(auto existing,
                        db_.Prepare("SELECT digest FROM publications WHERE epoch = ?"));
    existing.Bind(1, static_cast<std::int64_t>(epoch));
    HV_ASSIGN_OR_RETURN(const bool recorded, existing.Step());
    if (recorded) {
      const auto stored = existing.Blob(0);
      if (stored.size() == digest.size() && std::equal(stored.begin(), stored.end(), digest.begin())) {
        return Status::Ok();  // the same DB recorded again
      }
      return Status::FailedPrecondition("epoch " + std::to_string(epoch) +
                                        " was already published with another digest");
    }
    HV_ASSIGN_OR_RETURN(auto publication,
                        db_.Prepare(std::string("INSERT INTO publications(epoch, digest,"
                                                " published_at) VALUES(?, ?, ") + kNow + ")"));
    HV_RETURN_IF_ERROR(
        publication.Bind(1, static_cast<std::int64_t>(epoch)).Bind(2, std::span(digest)).Run());
    HV_ASSIGN_OR_RETURN(auto entry_row,
                        db_.Prepare("INSERT INTO published_entries(epoch, ordinal, bits, quality)"
                                    " VALUES(?, ?, ?, ?)"));
    HV_ASSIGN_OR_RETURN(auto source_row,
                        db_.Prepare("INSERT INTO published_entry_sources(epoch, ordinal,"
                                    " source_name) VALUES(?, ?, ?)"));
    for (std::size_t ordinal = 0; ordinal < entries.size(); ++ordinal) {
      const PublishedEntry& entry = entries[ordinal];
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

  Result<std::optional<std::uint64_t>> LatestPublishedEpoch() override {
    HV_ASSIGN_OR_RETURN(auto latest, db_.Prepare("SELECT max(epoch) FROM publications"));
    HV_ASSIGN_OR_RETURN(const bool row, latest.Step());
    if (!row || latest.IsNull(0)) return std::optional<std::uint64_t>();
    return std::optional<std::uint64_t>(static_cast<std::uint64_t>(latest.Int(0)));
  }

  Result<std::vector<PublishedEntry>> LoadPublication(std::uint64_t epoch) override {
    HV_ASSIGN_OR_RETURN(auto snapshot, SqliteTransaction::BeginRead(db_));
    HV_ASSIGN_OR_RETURN(auto publication,
                        db_.Prepare("SELECT 1 FROM publications WHERE epoch = ?"));
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

 private:
  static Result<matcher::PdqHash> HashFromBlob(std::span<const std::uint8_t> blob) {
    if (blob.size() != 32) return Status::Corrupt("a stored hash is not 32 bytes");
    std::array<std::uint8_t, 32> bytes{};
    std::copy(blob.begin(), blob.end(), bytes.begin());
    return matcher::PdqHash::FromBytes(bytes);
  }

  // Every source (in id order) and every distinct hash with its holders and highest stated
  // quality, read from one snapshot: an import committing meanwhile must not add holdings of a
  // source this read did not see.
  Status LoadHoldings(std::vector<SourceInfo>& sources, std::vector<HeldHash>& held) {
    HV_ASSIGN_OR_RETURN(auto snapshot, SqliteTransaction::BeginRead(db_));
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
                                    " ORDER BY holdings.hash_id"));
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
      hash.holders.push_back(static_cast<std::uint32_t>(source - source_ids.begin()));
      if (!statement.IsNull(3)) {
        const auto quality = static_cast<std::uint32_t>(statement.Int(3));
        hash.quality = std::max(hash.quality.value_or(0), quality);
      }
    }
    return Status::Ok();
  }

  // The source's id, created when new. kFailedPrecondition when the name exists with another
  // organisation or jurisdiction.
  Result<std::int64_t> FindOrCreateSource(const SourceInfo& source) {
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
                                    kNow + ")"));
    HV_RETURN_IF_ERROR(
        insert.Bind(1, source.name).Bind(2, source.organisation).Bind(3, source.jurisdiction).Run());
    return db_.LastInsertRowId();
  }

  Result<bool> AlreadyImported(std::int64_t source_id, const Digest& digest) {
    HV_ASSIGN_OR_RETURN(auto find,
                        db_.Prepare("SELECT 1 FROM imports WHERE source_id = ? AND digest = ?"));
    find.Bind(1, source_id).Bind(2, std::span(digest));
    return find.Step();
  }

  Result<ImportReport> Import(const SourceInfo& unchecked_source, const ImportBatch& batch,
                              const ImportOptions& options) {
    HV_ASSIGN_OR_RETURN(const SourceInfo source, ValidateSource(unchecked_source));
    ImportReport report;
    report.lines_read = batch.lines_read;

    HV_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(db_));
    HV_ASSIGN_OR_RETURN(const std::int64_t source_id, FindOrCreateSource(source));
    HV_ASSIGN_OR_RETURN(report.already_imported, AlreadyImported(source_id, batch.digest));
    if (report.already_imported) return report;  // rolls back: nothing was written

    if (!batch.bad_lines.empty() && !options.skip_bad_lines) {
      const BadLine& first = batch.bad_lines.front();
      return Status::InvalidInput("line " + std::to_string(first.line) + ": " + first.reason +
                                  " (" + std::to_string(batch.bad_lines.size()) +
                                  " bad lines; nothing imported)");
    }
    report.lines_skipped = batch.bad_lines.size();
    for (std::size_t i = 0; i < std::min(batch.bad_lines.size(), kMaxListedSkippedLines); ++i) {
      report.skipped_line_numbers.push_back(batch.bad_lines[i].line);
    }

    HV_ASSIGN_OR_RETURN(auto import_row,
                        db_.Prepare(std::string("INSERT INTO imports(source_id, digest,"
                                                " imported_at, lines_read, hashes_imported,"
                                                " lines_skipped) VALUES(?, ?, ") +
                                    kNow + ", ?, 0, ?)"));
    HV_RETURN_IF_ERROR(import_row.Bind(1, source_id)
                           .Bind(2, std::span(batch.digest))
                           .Bind(3, static_cast<std::int64_t>(report.lines_read))
                           .Bind(4, static_cast<std::int64_t>(report.lines_skipped))
                           .Run());
    const std::int64_t import_id = db_.LastInsertRowId();
    HV_ASSIGN_OR_RETURN(report.hashes_imported,
                        WriteHoldings(source_id, import_id, batch.records, options.progress));

    HV_ASSIGN_OR_RETURN(auto counts,
                        db_.Prepare("UPDATE imports SET hashes_imported = ? WHERE id = ?"));
    HV_RETURN_IF_ERROR(
        counts.Bind(1, static_cast<std::int64_t>(report.hashes_imported)).Bind(2, import_id).Run());
    HV_RETURN_IF_ERROR(transaction.Commit());
    return report;
  }

  // Adds the records to the source; returns how many (source, hash) rows are new. A hash the
  // source already holds keeps the highest quality stated for it.
  Result<std::uint64_t> WriteHoldings(std::int64_t source_id, std::int64_t import_id,
                                      const std::vector<HashRecord>& records,
                                      const ProgressCallback& progress) {
    HV_ASSIGN_OR_RETURN(auto insert_hash,
                        db_.Prepare("INSERT OR IGNORE INTO hashes(bits) VALUES(?)"));
    HV_ASSIGN_OR_RETURN(auto find_hash, db_.Prepare("SELECT id FROM hashes WHERE bits = ?"));
    HV_ASSIGN_OR_RETURN(auto insert_holding,
                        db_.Prepare("INSERT OR IGNORE INTO holdings(hash_id, source_id, quality,"
                                    " import_id) VALUES(?, ?, ?, ?)"));
    HV_ASSIGN_OR_RETURN(auto raise_quality,
                        db_.Prepare("UPDATE holdings SET quality = ?1 WHERE hash_id = ?2 AND"
                                    " source_id = ?3 AND (quality IS NULL OR quality < ?1)"));
    std::uint64_t added = 0;
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
      HV_RETURN_IF_ERROR(
          insert_holding.Bind(1, hash_id).Bind(2, source_id).Bind(3, quality).Bind(4, import_id).Run());
      if (db_.Changes() == 1) {
        ++added;
      } else if (quality) {
        HV_RETURN_IF_ERROR(raise_quality.Bind(1, *quality).Bind(2, hash_id).Bind(3, source_id).Run());
      }
      if (progress && (i + 1) % kProgressEvery == 0) progress(i + 1, records.size());
    }
    if (progress) progress(records.size(), records.size());
    return added;
  }

  SqliteDb db_;
};

}  // namespace

Result<std::unique_ptr<SourceStore>> SourceStore::Open(const std::filesystem::path& path) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  // The store holds every list's original hashes and their sources: created 0600 by us before
  // SQLite opens it (its WAL and shared-memory files take the store's mode), never another
  // user's file or a symbolic link (docs/threat-model.md, "Files and modes").
  HV_RETURN_IF_ERROR(EnsureOwnerOnlyDatabase(path).WithContext("source store"));
  HV_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  HV_RETURN_IF_ERROR(PrepareSourceStoreSchema(db).WithContext("opening source store"));
  return std::unique_ptr<SourceStore>(std::make_unique<SqliteSourceStore>(std::move(db)));
}

}  // namespace hashveil::hashdb
