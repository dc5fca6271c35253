// Files that carry secrets or sensitive records: created owner-only (0600) where no other local
// user can take them over, read into wiping memory (docs/threat-model.md, "Files and modes").
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "hashveil/common/secret.h"
#include "hashveil/common/status.h"

namespace hashveil {

// Writes `bytes` to `path` atomically with mode 0600: a temporary file of unpredictable name in
// the target's directory, created exclusively (O_EXCL, never through a symbolic link), checked
// with fstat to be ours and 0600 before any byte goes in, fsynced, then moved over `path`.
// For keys, and for sensitive outputs such as reports and the auditor proof (overwrite = true).
// kFailedPrecondition when `path` is a symbolic link, not a regular file, another user's file,
// or exists while `overwrite` is false (checked atomically: the file is linked into place, never
// over one created meanwhile); kIoError otherwise. Messages never name the path.
Status WriteSecretFile(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                       bool overwrite = false);

// Reads a secret file. kNotFound when absent; kInvalidInput when its size is not `expected_size`
// (pass 0 to accept any size up to 1 MiB); kIoError on read failure.
Result<SecretBytes> ReadSecretFile(const std::filesystem::path& path, std::size_t expected_size);

// Reads a whole non-secret file of at most `max_size` bytes (kResourceExhausted when larger).
Result<std::vector<std::uint8_t>> ReadFileBytes(const std::filesystem::path& path,
                                                std::size_t max_size);

// Writes a public file (the client DB, a public key) like WriteSecretFile, mode 0644. Same
// failures.
Status WriteFileAtomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                           bool overwrite = true);

// For a file that a library opens by name afterwards (SQLite): makes `path` an owner-only
// regular file. When absent it is created empty with mode 0600 (O_EXCL, never through a symbolic
// link); when present it must be a regular file (not a symbolic link) owned by this process's
// effective user, and its group and other permission bits are cleared (a store created 0644 by
// an older build becomes 0600; docs/threat-model.md argues fixing over refusing).
// kFailedPrecondition for a symbolic link, a non-regular file or another user's file; kIoError
// otherwise. Messages say what is wrong, never the path.
Status EnsureOwnerOnlyFile(const std::filesystem::path& path);

// EnsureOwnerOnlyFile for a SQLite database, plus the same checks on whichever of its companions
// (-wal, -shm, -journal) exist: SQLite opens those by name and gives new ones the database's mode.
Status EnsureOwnerOnlyDatabase(const std::filesystem::path& path);

// The permission bits (07777) of `path` itself (a symbolic link is not followed), as lstat shows
// them: what a message about a written file's mode must print. kNotFound, kIoError.
Result<std::uint32_t> FilePermissions(const std::filesystem::path& path);

}  // namespace hashveil
