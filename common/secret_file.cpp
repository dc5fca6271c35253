#include "hashveil/common/secret_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "hashveil/common/hex.h"

namespace hashveil {
namespace {

constexpr std::size_t kMaxSecretFileSize = 1 << 20;
constexpr mode_t kOwnerOnly = 0600;
constexpr mode_t kPublic = 0644;

// Closes a descriptor on every path out of a function.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // Closes now: close can report a write-back error that fsync missed.
  bool Close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

std::string Octal(mode_t mode) {
  std::array<char, 8> text{};
  std::snprintf(text.data(), text.size(), "%04o", static_cast<unsigned>(mode & 07777));
  return text.data();
}

Status Errno(const std::string& doing) {
  return Status::IoError(doing + ": " + std::strerror(errno));
}

// What is wrong with an existing file we were about to use, as far as lstat tells: a symbolic
// link, something other than a regular file, or another user's file. Ok otherwise.
Status CheckExisting(const struct stat& st) {
  if (S_ISLNK(st.st_mode)) return Status::FailedPrecondition("the file is a symbolic link");
  if (!S_ISREG(st.st_mode)) return Status::FailedPrecondition("the file is not a regular file");
  if (st.st_uid != ::geteuid()) {
    return Status::FailedPrecondition("the file is owned by another user");
  }
  return Status::Ok();
}

// Gives the open file `fd` exactly `mode`, then checks with fstat that it is a regular file of
// ours with that mode: the mode a caller reports is the one the file has, whatever the umask
// or the file system did.
Status SetMode(int fd, mode_t mode) {
  if (::fchmod(fd, mode) != 0) return Errno("cannot set the file's mode");
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Errno("cannot inspect the file");
  HV_RETURN_IF_ERROR(CheckExisting(st));
  if ((st.st_mode & 07777) != mode) {
    return Status::FailedPrecondition("the file system gave the file mode " + Octal(st.st_mode) +
                                      ", not " + Octal(mode));
  }
  return Status::Ok();
}

Status WriteAll(int fd, std::span<const std::uint8_t> bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write failed");
    }
    written += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

// A target may be absent, or (when overwriting) a regular file of ours; never a symbolic link,
// whose target a rename would not touch but a reader of `path` would follow.
Status CheckTarget(const std::filesystem::path& path, bool overwrite) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::Ok() : Errno("cannot inspect the target");
  }
  HV_RETURN_IF_ERROR(CheckExisting(st));
  if (!overwrite) return Status::FailedPrecondition("refusing to overwrite an existing file");
  return Status::Ok();
}

// Creates an empty temporary file beside `path` (a rename must not cross file systems) under a
// name no one can predict, exclusively: a file or link planted at a guessed name is never used.
Result<std::filesystem::path> CreateTemporary(const std::filesystem::path& path, int* fd) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::array<std::uint8_t, 12> nonce{};
    randombytes_buf(nonce.data(), nonce.size());
    std::filesystem::path tmp = dir / (path.filename().string() + ".tmp-" + ToHex(nonce));
    *fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kOwnerOnly);
    if (*fd >= 0) return tmp;
    if (errno != EEXIST) break;
  }
  return Errno("cannot create a temporary file");
}

// Moves the finished temporary file to `path`. Without overwrite, link() fails if anything
// appeared at `path` since CheckTarget; rename() replaces a link planted meanwhile, not the
// file it points to.
Status Install(const std::filesystem::path& tmp, const std::filesystem::path& path,
               bool overwrite) {
  if (overwrite) {
    return ::rename(tmp.c_str(), path.c_str()) == 0 ? Status::Ok() : Errno("rename failed");
  }
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) return Status::FailedPrecondition("refusing to overwrite an existing file");
    return Errno("cannot link the file into place");
  }
  ::unlink(tmp.c_str());
  return Status::Ok();
}

// Writes to a temporary file, fsyncs, then moves it over `path`, so a crash leaves either the
// old file or the new one, never half of one; the file has `mode` before it holds a byte.
Status WriteAtomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                       mode_t mode, bool overwrite) {
  HV_RETURN_IF_ERROR(CheckTarget(path, overwrite));
  int raw_fd = -1;
  HV_ASSIGN_OR_RETURN(const std::filesystem::path tmp, CreateTemporary(path, &raw_fd));
  FileDescriptor fd(raw_fd);
  Status status = SetMode(fd.get(), mode);
  if (status.ok()) status = WriteAll(fd.get(), bytes);
  if (status.ok() && ::fsync(fd.get()) != 0) status = Errno("fsync failed");
  if (!fd.Close() && status.ok()) status = Errno("close failed");
  if (status.ok()) status = Install(tmp, path, overwrite);
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status;
  }
  // The rename itself is durable once the directory is synced; best effort, as the file is
  // already in place and whole.
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  FileDescriptor dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
  return Status::Ok();
}

// Checks an existing file through a descriptor (not following a symbolic link), then clears its
// group and other bits. kNotFound when absent.
Status RestrictExisting(const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    struct stat st {};
    if (error == ENOENT) return Status::NotFound("file does not exist");
    if (::lstat(path.c_str(), &st) == 0) HV_RETURN_IF_ERROR(CheckExisting(st));
    errno = error;
    return Errno("cannot open the file");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Errno("cannot inspect the file");
  HV_RETURN_IF_ERROR(CheckExisting(st));
  if ((st.st_mode & 077) == 0) return Status::Ok();
  return SetMode(fd.get(), st.st_mode & 0700);
}

}  // namespace

Status WriteSecretFile(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                       bool overwrite) {
  return WriteAtomically(path, bytes, kOwnerOnly, overwrite);
}

Status WriteFileAtomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                           bool overwrite) {
  return WriteAtomically(path, bytes, kPublic, overwrite);
}

Status EnsureOwnerOnlyFile(const std::filesystem::path& path) {
  FileDescriptor fd(
      ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kOwnerOnly));
  if (fd.get() >= 0) return SetMode(fd.get(), kOwnerOnly);
  if (errno != EEXIST) return Errno("cannot create the file");
  return RestrictExisting(path);
}

Status EnsureOwnerOnlyDatabase(const std::filesystem::path& path) {
  HV_RETURN_IF_ERROR(EnsureOwnerOnlyFile(path));
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    const Status companion = RestrictExisting(path.string() + suffix);
    if (!companion.ok() && companion.code() != StatusCode::kNotFound) {
      return companion.WithContext(std::string("its ") + suffix + " file");
    }
  }
  return Status::Ok();
}

Result<std::uint32_t> FilePermissions(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound("file does not exist");
    return Errno("cannot inspect the file");
  }
  return static_cast<std::uint32_t>(st.st_mode & 07777);
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
