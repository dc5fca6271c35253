// The second stage and the reviewer's report (docs/design.md sections 4 and 5): every payload
// revealed at the threshold is checked against the DB's original hashes (kept server-side,
// never shipped); a match is verified when the nearest original is within PDQ distance 31.
// Only verified matches reach a reviewer: a revealed payload that verifies against no original
// (a key collision that is no PDQ match) is counted and dropped, never written. And an account
// is reported only when its verified matches cover at least t distinct DB entries: the
// threshold means "t distinct known images", so key collisions cannot make up the difference.
// Across epochs (docs/protocol.md 3.3), each payload is verified against the publication of the
// epoch its voucher was made for, and a known image is one original hash, whichever epoch's
// entry (and entry index) it was found under.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/publication.h"
#include "hashveil/psi/share_store.h"
#include "hashveil/psi/threshold.h"

namespace hashveil::psi {

struct VerifiedMatch {
  RevealedVoucher voucher;           // with the epoch it was made for
  int distance = 0;                  // to the nearest original, <= kPdqMatchDistance
  std::size_t entry = 0;             // that original's index in its epoch's publication
  matcher::PdqHash original;         // that original's hash: what "distinct entries" counts
  std::vector<std::string> sources;  // its sources
};

struct AccountReport {
  AccountCounts counts;
  std::vector<std::uint64_t> epochs;  // of the DBs whose shares were combined, ascending
  std::uint32_t threshold = 0;
  std::uint64_t distinct_keys = 0;    // ThresholdResult's: distinct share x
  std::uint64_t distinct_images = 0;  // ThresholdResult's: what t counts
  std::uint64_t real_images = 0;
  std::vector<VerifiedMatch> matches;  // the verified revealed vouchers, in arrival order
  std::uint64_t unverified = 0;        // revealed vouchers that verified against no original
  std::vector<VoucherId> unopened;

  // Distinct DB entries among the matches: distinct original hashes, across epochs.
  std::uint64_t verified_entries() const;
  // At least `threshold` distinct DB entries verified: only then is a report written.
  bool reportable() const { return verified_entries() >= threshold; }
};

// The publication of an epoch (its originals); empty for an epoch without one.
using PublicationOf = std::function<std::span<const hashdb::PublishedEntry>(std::uint64_t epoch)>;

// Verifies every revealed payload of a kRevealed result against the publication of its
// voucher's epoch, keeping the verified ones. `epochs` are those of the group that was
// processed. Linear in originals x revealed vouchers.
AccountReport VerifyRevealed(const AccountCounts& counts, ThresholdResult revealed,
                             const PublicationOf& originals, std::vector<std::uint64_t> epochs,
                             std::uint32_t threshold);
// Every revealed payload verified against `originals`, the publication of `epoch`.
AccountReport VerifyRevealed(const AccountCounts& counts, ThresholdResult revealed,
                             std::span<const hashdb::PublishedEntry> originals,
                             std::uint64_t epoch, std::uint32_t threshold);

// The report as JSON (docs/protocol.md, "Reports"): counts; per verified match its voucher id,
// epoch, DB entry, distance, sources, quality, metadata (hex) and the derivative's PNG file name;
// and per distinct DB entry (one original hash) the vouchers that matched it. Never an original
// or a user hash.
std::string AccountReportJson(const AccountReport& report);

enum class ReportWrite {
  kWritten,    // DIR/ACCOUNT.json is this report
  kKeptNewer,  // it already held a report of more vouchers, which stays
};

// Writes DIR/ACCOUNT.json and, per verified match, DIR/ACCOUNT.VOUCHERID.png, each atomically;
// but never replaces a report of more vouchers (counts.vouchers): an account's voucher count
// only grows, so it orders the account's reports in time, and a processor that lost its bucket
// (PostgreSQL, docs/service.md) must not put back an older report over the newer one another
// processor wrote meanwhile. The check and the replacement are made under an exclusive flock(2)
// of DIR/.reports.lock (created 0600), so concurrent writers of one directory, in threads or
// processes, keep the newest report. kFailedPrecondition for a report that is not reportable()
// (nothing written); kIoError when a file cannot be written or the lock taken; kInternal if PNG
// encoding fails.
Result<ReportWrite> WriteAccountReport(const AccountReport& report,
                                       const std::filesystem::path& dir);

}  // namespace hashveil::psi
