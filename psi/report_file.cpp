#include "report_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "hashveil/common/secret_file.h"

namespace hashveil::psi {
namespace {

// A report lists every verified match (a few hundred bytes each): tens of thousands fit.
constexpr std::size_t kMaxReportBytes = std::size_t{64} << 20;

// An exclusive flock(2) of the reports directory's lock file, held while this lives. flock
// excludes other open file descriptions, so threads of one process exclude each other as
// processes do.
class ReportsDirectoryLock {
 public:
  static Result<ReportsDirectoryLock> Take(const std::filesystem::path& dir) {
    const std::filesystem::path path = dir / ".reports.lock";
    HV_RETURN_IF_ERROR(EnsureOwnerOnlyFile(path).WithContext("the reports lock"));
    // Read-write: on NFS, flock is emulated by a byte-range write lock, which needs it.
    ReportsDirectoryLock lock(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (lock.fd_ < 0) return Status::IoError("cannot open the reports lock");
    int locked;
    do {
      locked = ::flock(lock.fd_, LOCK_EX);
    } while (locked != 0 && errno == EINTR);
    if (locked != 0) return Status::IoError("cannot take the reports lock");
    return lock;
  }

  ReportsDirectoryLock(ReportsDirectoryLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ReportsDirectoryLock& operator=(ReportsDirectoryLock&&) = delete;
  ~ReportsDirectoryLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }

 private:
  explicit ReportsDirectoryLock(int fd) : fd_(fd) {}
  int fd_;
};

// The "vouchers" of the report at `path`; none when there is no such file. A file that does not
// parse or has no unsigned "vouchers" is none as well: it cannot be shown to be newer, and it is
// no report a reviewer can use, so the new report replaces it. Neither is a file that is not a
// regular one (a symbolic link): the write that follows refuses it.
Result<std::optional<std::uint64_t>> VouchersOfReport(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(path, error))) {
    return std::optional<std::uint64_t>();
  }
  auto bytes = ReadFileBytes(path, kMaxReportBytes);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return std::optional<std::uint64_t>();
    return bytes.status().WithContext("reading the existing report");
  }
  const nlohmann::json report =
      nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, /*allow_exceptions=*/false);
  if (!report.is_object()) return std::optional<std::uint64_t>();
  const auto vouchers = report.find("vouchers");
  if (vouchers == report.end() || !vouchers->is_number_unsigned()) {
    return std::optional<std::uint64_t>();
  }
  return std::optional<std::uint64_t>(vouchers->get<std::uint64_t>());
}

}  // namespace

Result<ReportWrite> ReplaceReportUnlessNewer(const std::filesystem::path& dir,
                                             const std::string& file_name,
                                             std::span<const std::uint8_t> json,
                                             std::uint64_t vouchers) {
  HV_ASSIGN_OR_RETURN(const ReportsDirectoryLock lock, ReportsDirectoryLock::Take(dir));
  const std::filesystem::path path = dir / file_name;
  HV_ASSIGN_OR_RETURN(const std::optional<std::uint64_t> existing, VouchersOfReport(path));
  // Equal counts: the same vouchers, so the same report; written again.
  if (existing && *existing > vouchers) return ReportWrite::kKeptNewer;
  HV_RETURN_IF_ERROR(WriteSecretFile(path, json, /*overwrite=*/true));
  return ReportWrite::kWritten;
}

}  // namespace hashveil::psi
