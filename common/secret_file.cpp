#include "hashveil/common/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace hashveil {
namespace {

constexpr std::size_t kMaxSecretFileSize = 1 << 20;

Status WriteAll(int fd, std::span<const std::uint8_t> bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(std::string("write failed: ") + std::strerror(errno));
    }
    written += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

// Writes to a sibling temporary file created with `mode`, fsyncs, then renames over `path`,
// so a crash leaves either the old file or the new one, never half of one.
Status WriteAtomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                       mode_t mode) {
  const std::string tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::IoError(std::string("cannot create file: ") + std::strerror(errno));
  ::fchmod(fd, mode);  // umask may have narrowed or (for 0600) must not widen it
  Status status = WriteAll(fd, bytes);
  if (status.ok() && ::fsync(fd) != 0) status = Status::IoError("fsync failed");
  ::close(fd);
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    status = Status::IoError(std::string("rename failed: ") + std::strerror(errno));
  }
  if (!status.ok()) ::unlink(tmp.c_str());
  return status;
}

}  // namespace

Status WriteSecretFile(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                       bool overwrite) {
  std::error_code ec;
  if (!overwrite && std::filesystem::exists(path, ec)) {
    return Status::FailedPrecondition("refusing to overwrite an existing secret file");
  }
  return WriteAtomically(path, bytes, 0600);
}

Status WriteFileAtomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  return WriteAtomically(path, bytes, 0644);
}

namespace {

Result<std::vector<std::uint8_t>> ReadBounded(const std::filesystem::path& path,
                                              std::size_t max_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("file does not exist");
    return Status::IoError(std::string("cannot open file: ") + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidInput("not a regular file");
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_size) {
    ::close(fd);
    return Status::ResourceExhausted("file is larger than " + std::to_string(max_size) + " bytes");
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got != bytes.size()) return Status::IoError("short read");
  return bytes;
}

}  // namespace

Result<SecretBytes> ReadSecretFile(const std::filesystem::path& path, std::size_t expected_size) {
  HV_ASSIGN_OR_RETURN(std::vector<std::uint8_t> bytes, ReadBounded(path, kMaxSecretFileSize));
  SecretBytes secret(bytes);
  SecureWipe(bytes.data(), bytes.size());
  if (expected_size != 0 && secret.size() != expected_size) {
    return Status::InvalidInput("secret file has " + std::to_string(secret.size()) +
                                " bytes, expected " + std::to_string(expected_size));
  }
  return secret;
}

Result<std::vector<std::uint8_t>> ReadFileBytes(const std::filesystem::path& path,
                                                std::size_t max_size) {
  return ReadBounded(path, max_size);
}

}  // namespace hashveil
