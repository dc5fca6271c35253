// Files that carry secrets: created with mode 0600, read into wiping memory.
#pragma once

#include <filesystem>
#include <span>

#include "hashveil/common/secret.h"
#include "hashveil/common/status.h"

namespace hashveil {

// Writes `bytes` to `path` atomically (temporary file + rename) with mode 0600.
// Fails with kFailedPrecondition if the file exists and `overwrite` is false; kIoError otherwise.
Status WriteSecretFile(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                       bool overwrite = false);

// Reads a secret file. kNotFound when absent; kInvalidInput when its size is not `expected_size`
// (pass 0 to accept any size up to 1 MiB); kIoError on read failure.
Result<SecretBytes> ReadSecretFile(const std::filesystem::path& path, std::size_t expected_size);

// Reads a whole non-secret file of at most `max_size` bytes (kResourceExhausted when larger).
Result<std::vector<std::uint8_t>> ReadFileBytes(const std::filesystem::path& path,
                                                std::size_t max_size);

// Writes a non-secret file atomically (temporary file + rename), mode 0644.
Status WriteFileAtomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);

}  // namespace hashveil
