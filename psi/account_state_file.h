// The SQLite file behind AccountState: one row holding the sealed state. Private to psi/.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "hashveil/common/status.h"

struct sqlite3;

namespace hashveil::psi {

// Holds the file exclusively locked from Open until destruction. Not thread-safe: the owner
// serialises calls.
class AccountStateFile {
 public:
  // Opens `path` (creating an empty file with mode 0600 when absent) and takes the exclusive
  // lock. kFailedPrecondition when another connection holds it; kCorrupt when the file is not
  // an account state (not SQLite, or a SQLite file with other tables); kIoError otherwise.
  static Result<std::unique_ptr<AccountStateFile>> Open(const std::filesystem::path& path);
  ~AccountStateFile();
  AccountStateFile(const AccountStateFile&) = delete;
  AccountStateFile& operator=(const AccountStateFile&) = delete;

  // The sealed state, or nullopt for a file without one yet. kUnsupported for a newer format.
  Result<std::optional<std::vector<std::uint8_t>>> ReadSealed();
  // Replaces the sealed state in one transaction.
  Status WriteSealed(std::span<const std::uint8_t> sealed);

 private:
  explicit AccountStateFile(sqlite3* db) : db_(db) {}
  Status Execute(const char* sql);
  sqlite3* db_;
};

}  // namespace hashveil::psi
