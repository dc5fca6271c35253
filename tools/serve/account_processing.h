// One threshold processing run over the share store's dirty accounts, as `hashveil server
// process` does it: bucket by bucket, those this processor claims (psi::ShareStore::
// ClaimBucket; SQLite: every account, PostgreSQL: the accounts whose vouchers added candidates
// since their last processing, in buckets no other processor holds), each account's mark
// cleared once its report is written. Per group of epochs whose shares combine
// (GroupEpochsByGeneration), an account with at least t distinct images in that group goes
// through detection and reveal (psi::ProcessThreshold), its revealed payloads are verified
// against the original hashes of their own epochs (psi::VerifyRevealed) and the report is
// written (psi::WriteAccountReport) to the reports directory. An account whose counts did not
// change since the last run is not processed again, so a long-running service does not rewrite
// the same report every interval.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/publication.h"
#include "hashveil/psi/report.h"
#include "hashveil/psi/share_store.h"
#include "served_db.h"
#include "store_pool.h"
#include "threshold_scheduler.h"

namespace hashveil::tools::serve {

// Thread-compatible: the ThresholdScheduler serialises the runs.
class AccountProcessing {
 public:
  // Reads the originals of every served epoch from the source store. kNotFound when that store
  // does not exist or holds no publication of one of them; as SourceStore::OpenExisting
  // otherwise.
  static Result<std::unique_ptr<AccountProcessing>> Create(
      StorePool& stores, const std::filesystem::path& sources,
      std::filesystem::path reports_dir, const ServedDbs& served);

  Result<ProcessingSummary> RunOnce();

 private:
  using Publications = std::map<std::uint64_t, std::vector<hashdb::PublishedEntry>>;
  AccountProcessing(StorePool& stores, std::filesystem::path reports_dir,
                    std::vector<psi::EpochGroup> groups, Publications originals)
      : stores_(stores), reports_dir_(std::move(reports_dir)), groups_(std::move(groups)),
        originals_(std::move(originals)) {}

  // Processes the claimed bucket's accounts, adding each one's summary line to `lines`.
  Status ProcessBucket(psi::ShareStore& store, const psi::ClaimedBucket& claimed,
                       std::map<std::string, std::string>& lines, std::uint64_t& reports_written);
  // The account's summary line, processing each group of epochs that crossed its threshold.
  Result<std::string> ProcessAccount(psi::ShareStore& store, const psi::AccountCounts& counts,
                                     std::uint64_t& reports_written);

  StorePool& stores_;
  const std::filesystem::path reports_dir_;
  const std::vector<psi::EpochGroup> groups_;  // the group of the current epoch first
  const Publications originals_;
  struct Seen {
    std::uint64_t vouchers = 0;
    std::uint64_t candidates = 0;
    std::string line;
  };
  std::map<std::string, Seen> seen_;
};

}  // namespace hashveil::tools::serve
