// The account report's JSON file, replaced only by a report of at least as many vouchers
// (issue 13): see WriteAccountReport (hashveil/psi/report.h) for why vouchers order reports.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "hashveil/common/status.h"
#include "hashveil/psi/report.h"

namespace hashveil::psi {

// Writes `json`, a report of `vouchers` vouchers, to DIR/FILE_NAME atomically (mode 0600)
// unless that file holds a report of more vouchers. The read of the existing report and the
// replacement happen under an exclusive flock(2) of DIR/.reports.lock, created 0600 when absent,
// which every writer of the directory takes. kFailedPrecondition when the report file or the lock
// file is a symbolic link, not a regular file or another user's file; kResourceExhausted for an
// existing report over 64 MiB; kIoError otherwise. Messages never name the path.
Result<ReportWrite> ReplaceReportUnlessNewer(const std::filesystem::path& dir,
                                             const std::string& file_name,
                                             std::span<const std::uint8_t> json,
                                             std::uint64_t vouchers);

}  // namespace hashveil::psi
