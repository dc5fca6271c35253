#include "account_state_file.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <string>
#include <string_view>

#include "hashveil/common/secret_file.h"

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

// SQLite reads the missing part of a truncated page as zeros, which can make the state's row
// vanish without an error; OpenOrCreate would then take the file for a fresh one and replace
// the account's secrets. quick_check finds such damage (a few pages: cheap).
Status CheckIntact(sqlite3* db) {
  Statement check;
  int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &check.handle, nullptr);
  if (rc != SQLITE_OK) return FromSqlite(rc, "reading");
  if ((rc = sqlite3_step(check.handle)) != SQLITE_ROW) return FromSqlite(rc, "reading");
  const unsigned char* verdict = sqlite3_column_text(check.handle, 0);
  if (verdict == nullptr || std::string_view(reinterpret_cast<const char*>(verdict)) != "ok") {
    return Status::Corrupt("account state file is damaged");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<AccountStateFile>> AccountStateFile::Open(
    const std::filesystem::path& path) {
  // Created 0600 by us, not by SQLite, and never another user's file or a symbolic link:
  // SQLite gives its journal the database file's mode (docs/threat-model.md, "Files and modes").
  HV_RETURN_IF_ERROR(EnsureOwnerOnlyDatabase(path).WithContext("account state file"));
  struct stat st {};
  const bool stat_ok = ::lstat(path.c_str(), &st) == 0;
  // SQLite reads a file shorter than its 100-byte header as an empty database; only a file of
  // 0 bytes is a fresh one.
  if (stat_ok && st.st_size > 0 && st.st_size < 512) {
    return Status::Corrupt("account state file is truncated");
  }

  sqlite3* db = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &db,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nullptr);
  std::unique_ptr<AccountStateFile> file(new AccountStateFile(db));
  if (opened != SQLITE_OK) return FromSqlite(opened, "opening");
  // Exclusive locking mode keeps the lock taken by BEGIN EXCLUSIVE after its COMMIT, for the
  // connection's lifetime; secure_delete zeroes freed pages.
  HV_RETURN_IF_ERROR(file->Execute("PRAGMA locking_mode = EXCLUSIVE"));
  HV_RETURN_IF_ERROR(file->Execute("PRAGMA secure_delete = ON"));
  HV_RETURN_IF_ERROR(file->Execute("BEGIN EXCLUSIVE"));
  HV_RETURN_IF_ERROR(CheckIntact(db));

  // A fresh file has no schema entries; an account state has exactly our table. Every entry
  // counts, whatever its type: a damaged type or name must not pass for a fresh file.
  Statement count;
  int rc = sqlite3_prepare_v2(db,
                              "SELECT count(*), count(*) FILTER (WHERE type = 'table' AND "
                              "name = 'account_state') FROM sqlite_schema",
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
  // Every row, not just id 1: a damaged schema can hide the row from `WHERE id = 1`, and the
  // state would then look fresh.
  int rc = sqlite3_prepare_v2(db_, "SELECT id, format, sealed FROM account_state LIMIT 2", -1,
                              &select.handle, nullptr);
  if (rc != SQLITE_OK) return FromSqlite(rc, "reading");
  rc = sqlite3_step(select.handle);
  if (rc == SQLITE_DONE) return std::optional<std::vector<std::uint8_t>>();
  if (rc != SQLITE_ROW) return FromSqlite(rc, "reading");
  if (sqlite3_column_type(select.handle, 0) != SQLITE_INTEGER ||
      sqlite3_column_int64(select.handle, 0) != 1) {
    return Status::Corrupt("account state file is damaged");
  }
  if (sqlite3_column_int(select.handle, 1) != kFormatVersion) {
    return Status::Unsupported("account state has an unknown format version");
  }
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(select.handle, 2));
  const int size = sqlite3_column_bytes(select.handle, 2);
  if (data == nullptr || size <= 0) return Status::Corrupt("account state is empty");
  std::vector<std::uint8_t> sealed(data, data + size);
  if (sqlite3_step(select.handle) != SQLITE_DONE) return Status::Corrupt("account state file is damaged");
  return std::optional<std::vector<std::uint8_t>>(std::move(sealed));
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
