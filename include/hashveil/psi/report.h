// The second stage and the reviewer's report (docs/design.md sections 4 and 5): every payload
// revealed at the threshold is checked against the DB's original hashes (kept server-side,
// never shipped); a match is verified when the nearest original is within PDQ distance 31.
// Key collisions that are not PDQ matches are reported as unverified, never as matches.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/publication.h"
#include "hashveil/psi/share_store.h"
#include "hashveil/psi/threshold.h"

namespace hashveil::psi {

struct VerifiedMatch {
  RevealedVoucher voucher;
  bool verified = false;
  int distance = 0;                  // to the nearest original (256 when there are none)
  std::vector<std::string> sources;  // the nearest original's sources
};

struct AccountReport {
  AccountCounts counts;
  std::uint64_t epoch = 0;
  std::uint32_t threshold = 0;
  std::uint64_t real_images = 0;
  std::vector<VerifiedMatch> matches;  // one per revealed voucher, in arrival order
  std::vector<VoucherId> unopened;

  std::uint64_t verified_count() const;
};

// Verifies every revealed payload of a kRevealed result against `originals` (the publication
// of the served epoch). Linear in originals x revealed vouchers.
AccountReport VerifyRevealed(const AccountCounts& counts, ThresholdResult revealed,
                             std::span<const hashdb::PublishedEntry> originals,
                             std::uint64_t epoch, std::uint32_t threshold);

// The report as JSON (docs/protocol.md, "Reports"): counts, and per match its voucher id,
// verified, distance, sources, quality, metadata (hex) and the derivative's PNG file name.
std::string AccountReportJson(const AccountReport& report);

// Writes DIR/ACCOUNT.json and, per match, DIR/ACCOUNT.VOUCHERID.png, each atomically.
// kIoError when a file cannot be written; kInternal if PNG encoding fails.
Status WriteAccountReport(const AccountReport& report, const std::filesystem::path& dir);

}  // namespace hashveil::psi
