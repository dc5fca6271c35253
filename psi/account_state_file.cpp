#include "account_state_file.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <string>

namespace hashveil::psi {
namespace {

constexpr int kFormatVersion = 1;

// Frees a prepared statement on every path out of a function.
struct Statement {
  sqlite3_stmt* handle = nullptr;
  ~Statement() { sqlite3_finalize(handle); }
};

Status FromSqlite(int code, const char* doing) {
  switch (code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::FailedPrecondition("account state is in use by another process");
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Status::Corrupt("account state file is not an account state");
    default:
      return Status::IoError(std::string(doing) + " the account state file failed: " +
                             sqlite3_errstr(code));
  }
}

}  // namespace

Result<std::unique_ptr<AccountStateFile>> AccountStateFile::Open(
    const std::filesystem::path& path) {
  // Create the file ourselves so it is 0600 from the start; SQLite gives its journal the
  // database file's mode.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot create or open the account state file");
  ::close(fd);

  sqlite3* db = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<AccountStateFile> file(new AccountStateFile(db));
  if (opened != SQLITE_OK) return FromSqlite(opened, "opening");
  // Exclusive locking mode keeps the lock taken by BEGIN EXCLUSIVE after its COMMIT, for the
  // connection's lifetime; secure_delete zeroes freed pages.
  HV_RETURN_IF_ERROR(file->Execute("PRAGMA locking_mode = EXCLUSIVE"));
  HV_RETURN_IF_ERROR(file->Execute("PRAGMA secure_delete = ON"));
  HV_RETURN_IF_ERROR(file->Execute("BEGIN EXCLUSIVE"));

  // A fresh file has no tables; an account state has exactly ours.
  Statement count;
  int rc = sqlite3_prepare_v2(db,
                              "SELECT count(*), count(*) FILTER (WHERE name = 'account_state') "
                              "FROM sqlite_schema WHERE type = 'table'",
                              -1, &count.handle, nullptr);
  if (rc != SQLITE_OK) return FromSqlite(rc, "reading");
  if ((rc = sqlite3_step(count.handle)) != SQLITE_ROW) return FromSqlite(rc, "reading");
  const int tables = sqlite3_column_int(count.handle, 0);
  const int ours = sqlite3_column_int(count.handle, 1);
  if (tables != ours) return Status::Corrupt("account state file is not an account state");
  HV_RETURN_IF_ERROR(file->Execute(
      "CREATE TABLE IF NOT EXISTS account_state ("
      "id INTEGER PRIMARY KEY CHECK (id = 1), format INTEGER NOT NULL, sealed BLOB NOT NULL)"));
  HV_RETURN_IF_ERROR(file->Execute("COMMIT"));
  return file;
}

AccountStateFile::~AccountStateFile() { sqlite3_close(db_); }

Status AccountStateFile::Execute(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);  // no-op outside a transaction
    return FromSqlite(rc, "updating");
  }
  return Status::Ok();
}

Result<std::optional<std::vector<std::uint8_t>>> AccountStateFile::ReadSealed() {
  Statement select;
  int rc = sqlite3_prepare_v2(db_, "SELECT format, sealed FROM account_state WHERE id = 1", -1,
                              &select.handle, nullptr);
  if (rc != SQLITE_OK) return FromSqlite(rc, "reading");
  rc = sqlite3_step(select.handle);
  if (rc == SQLITE_DONE) return std::optional<std::vector<std::uint8_t>>();
  if (rc != SQLITE_ROW) return FromSqlite(rc, "reading");
  if (sqlite3_column_int(select.handle, 0) != kFormatVersion) {
    return Status::Unsupported("account state has an unknown format version");
  }
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(select.handle, 1));
  const int size = sqlite3_column_bytes(select.handle, 1);
  if (data == nullptr || size <= 0) return Status::Corrupt("account state is empty");
  return std::optional<std::vector<std::uint8_t>>(std::in_place, data, data + size);
}

Status AccountStateFile::WriteSealed(std::span<const std::uint8_t> sealed) {
  HV_RETURN_IF_ERROR(Execute("BEGIN IMMEDIATE"));
  Statement upsert;
  int rc = sqlite3_prepare_v2(db_,
                              "INSERT OR REPLACE INTO account_state (id, format, sealed) "
                              "VALUES (1, ?, ?)",
                              -1, &upsert.handle, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(upsert.handle, 1, kFormatVersion);
  if (rc == SQLITE_OK) {
    rc = sqlite3_bind_blob(upsert.handle, 2, sealed.data(), static_cast<int>(sealed.size()),
                           SQLITE_TRANSIENT);
  }
  if (rc == SQLITE_OK) rc = sqlite3_step(upsert.handle);
  if (rc != SQLITE_DONE) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);  // the step's error is reported
    return FromSqlite(rc, "writing");
  }
  return Execute("COMMIT");
}

}  // namespace hashveil::psi
