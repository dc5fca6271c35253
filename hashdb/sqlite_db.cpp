#include "sqlite_db.h"

#include <sqlite3.h>

#include <cassert>
#include <climits>

namespace hashveil::hashdb {
namespace {

StatusCode CodeFor(int sqlite_code) {
  switch (sqlite_code & 0xff) {  // primary code, without the extended bits
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return StatusCode::kCorrupt;
    case SQLITE_CONSTRAINT:
      return StatusCode::kFailedPrecondition;
    case SQLITE_ERROR:  // malformed SQL or a missing table: a bug or a foreign schema
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
      return StatusCode::kInternal;
    default:  // IOERR, FULL, BUSY, LOCKED, CANTOPEN, READONLY, PERM, NOMEM, ...
      return StatusCode::kIoError;
  }
}

int ToInt(std::size_t size) {
  assert(size <= static_cast<std::size_t>(INT_MAX));
  return static_cast<int>(size);
}

}  // namespace

void SqliteDb::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void SqliteStatement::Finalizer::operator()(sqlite3_stmt* statement) const {
  sqlite3_finalize(statement);
}

Result<SqliteDb> SqliteDb::Open(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  std::unique_ptr<sqlite3, Closer> db(raw);
  if (rc != SQLITE_OK) {
    return Status(StatusCode::kIoError,
                  std::string("cannot open database: ") + sqlite3_errstr(rc));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);
  return SqliteDb(std::move(db));
}

Status SqliteDb::Exec(std::string_view sql) {
  const std::string text(sql);
  if (sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return LastError("executing statement");
  }
  return Status::Ok();
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.data(), ToInt(sql.size()), &statement, nullptr) !=
      SQLITE_OK) {
    return LastError("preparing statement");
  }
  return SqliteStatement(db_.get(), statement);
}

std::int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_.get()); }
std::int64_t SqliteDb::Changes() const { return sqlite3_changes64(db_.get()); }

Status SqliteDb::LastError(const std::string& context) const {
  return Status(CodeFor(sqlite3_extended_errcode(db_.get())),
                context + ": " + sqlite3_errmsg(db_.get()));
}

SqliteStatement& SqliteStatement::Bind(int index, std::int64_t value) {
  [[maybe_unused]] const int rc = sqlite3_bind_int64(statement_.get(), index, value);
  assert(rc == SQLITE_OK);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::string_view text) {
  [[maybe_unused]] const int rc = sqlite3_bind_text(statement_.get(), index, text.data(),
                                                    ToInt(text.size()), SQLITE_TRANSIENT);
  assert(rc == SQLITE_OK);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::span<const std::uint8_t> blob) {
  [[maybe_unused]] const int rc = sqlite3_bind_blob(statement_.get(), index, blob.data(),
                                                    ToInt(blob.size()), SQLITE_TRANSIENT);
  assert(rc == SQLITE_OK);
  return *this;
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  [[maybe_unused]] const int rc = sqlite3_bind_null(statement_.get(), index);
  assert(rc == SQLITE_OK);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::optional<std::int64_t> value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Result<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(statement_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Status(CodeFor(rc), std::string("running statement: ") + sqlite3_errmsg(db_));
}

Status SqliteStatement::Run() {
  Result<bool> row = Step();
  Reset();
  return row.status();
}

void SqliteStatement::Reset() {
  sqlite3_reset(statement_.get());
  sqlite3_clear_bindings(statement_.get());
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
}

std::int64_t SqliteStatement::Int(int column) const {
  return sqlite3_column_int64(statement_.get(), column);
}

std::string SqliteStatement::Text(int column) const {
  const auto* text = sqlite3_column_text(statement_.get(), column);
  const int size = sqlite3_column_bytes(statement_.get(), column);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size))
              : std::string();
}

std::span<const std::uint8_t> SqliteStatement::Blob(int column) const {
  const auto* blob = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_.get(), column));
  const int size = sqlite3_column_bytes(statement_.get(), column);
  return blob ? std::span<const std::uint8_t>(blob, static_cast<std::size_t>(size))
              : std::span<const std::uint8_t>();
}

Result<SqliteTransaction> SqliteTransaction::Begin(SqliteDb& db) {
  HV_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE").WithContext("starting transaction"));
  return SqliteTransaction(&db);
}

Result<SqliteTransaction> SqliteTransaction::BeginRead(SqliteDb& db) {
  HV_RETURN_IF_ERROR(db.Exec("BEGIN").WithContext("starting read transaction"));
  return SqliteTransaction(&db);
}

SqliteTransaction::SqliteTransaction(SqliteTransaction&& other) noexcept : db_(other.db_) {
  other.db_ = nullptr;
}

SqliteTransaction::~SqliteTransaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status SqliteTransaction::Commit() {
  assert(db_ != nullptr);
  HV_RETURN_IF_ERROR(db_->Exec("COMMIT").WithContext("committing transaction"));
  db_ = nullptr;
  return Status::Ok();
}

}  // namespace hashveil::hashdb
