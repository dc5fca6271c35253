// A small RAII layer over sqlite3 for hashdb's stores: one connection, prepared statements and
// transactions that roll back unless committed. Errors become Status values; messages carry the
// caller's context and SQLite's own text, never bound values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashveil/common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace hashveil::hashdb {

class SqliteStatement;

// One open connection. Thread-compatible (one thread at a time).
class SqliteDb {
 public:
  // Opens (creating when absent) a database file. kIoError when it cannot be opened.
  static Result<SqliteDb> Open(const std::filesystem::path& path);

  SqliteDb(SqliteDb&&) noexcept = default;
  SqliteDb& operator=(SqliteDb&&) noexcept = default;

  // Runs one or more statements that return no rows. kIoError, or kCorrupt for a file that is
  // not a database.
  Status Exec(std::string_view sql);
  Result<SqliteStatement> Prepare(std::string_view sql);

  std::int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  std::int64_t Changes() const;

  // A Status for the connection's last error, with `context` prefixed.
  Status LastError(const std::string& context) const;

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  explicit SqliteDb(std::unique_ptr<sqlite3, Closer> db) : db_(std::move(db)) {}

  std::unique_ptr<sqlite3, Closer> db_;
};

// A prepared statement. Bind parameters are 1-based, columns 0-based (as in SQLite).
class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&&) noexcept = default;
  SqliteStatement& operator=(SqliteStatement&&) noexcept = default;

  SqliteStatement& Bind(int index, std::int64_t value);
  SqliteStatement& Bind(int index, std::string_view text);
  SqliteStatement& Bind(int index, std::span<const std::uint8_t> blob);
  SqliteStatement& BindNull(int index);
  // Binds `value` or NULL.
  SqliteStatement& Bind(int index, std::optional<std::int64_t> value);

  // Advances to the next row: true when a row is available, false when done.
  Result<bool> Step();
  // Steps a statement that returns no rows, then resets it for reuse.
  Status Run();
  // Clears bindings and rewinds, ready to bind again.
  void Reset();

  bool IsNull(int column) const;
  std::int64_t Int(int column) const;
  std::string Text(int column) const;
  std::span<const std::uint8_t> Blob(int column) const;

 private:
  friend class SqliteDb;
  struct Finalizer {
    void operator()(sqlite3_stmt* statement) const;
  };
  SqliteStatement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}

  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> statement_;
};

// A transaction: ROLLBACK on destruction unless Commit() succeeded.
class SqliteTransaction {
 public:
  // BEGIN IMMEDIATE: takes the write lock now, so a writer never fails half-way on a busy store.
  static Result<SqliteTransaction> Begin(SqliteDb& db);
  // BEGIN (deferred), for reads only: every statement sees the same snapshot (in WAL mode,
  // without blocking writers).
  static Result<SqliteTransaction> BeginRead(SqliteDb& db);
  SqliteTransaction(SqliteTransaction&& other) noexcept;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();

  Status Commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;  // null once committed, rolled back or moved from
};

}  // namespace hashveil::hashdb
