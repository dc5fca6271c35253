#include "account_processing.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>

#include "epoch_groups.h"
#include "hashveil/hashdb/source_store.h"
#include "hashveil/psi/threshold.h"

namespace hashveil::tools::serve {
namespace {

using Outcome = psi::ThresholdResult::Outcome;

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kBelowThreshold: return "below_threshold";
    case Outcome::kRevealed: return "revealed";
    case Outcome::kTooManySynthetics: return "too_many_synthetics";
  }
  return "unknown";
}

// What one group of epochs gave for an account.
struct GroupRun {
  const psi::EpochGroup* group = nullptr;
  std::uint64_t distinct_images = 0;  // what t counts (ThresholdResult::distinct_images)
  std::uint64_t distinct_keys = 0;    // distinct share x among the group's candidates
  Outcome outcome = Outcome::kBelowThreshold;
  std::optional<psi::AccountReport> revealed;  // kRevealed: verified against the originals
};

std::vector<std::uint64_t> EpochsOf(const psi::EpochGroup& group) {
  std::vector<std::uint64_t> epochs;
  for (const auto& [epoch, shape] : group.shapes) epochs.push_back(epoch);
  return epochs;
}

// The line `hashveil server process` prints for an account, field for field: about `run`, the
// group of epochs reported (or flagged, or the newest one when nothing was). `verified` and
// `verified_entries` are those of the report when the group was revealed.
std::string SummaryLine(const psi::AccountCounts& counts, const GroupRun& run) {
  const psi::AccountReport* revealed = run.revealed ? &*run.revealed : nullptr;
  const bool reported = revealed != nullptr && revealed->reportable();
  std::string_view outcome_name = OutcomeName(run.outcome);
  if (revealed != nullptr && !reported) outcome_name = "unverified";
  return fmt::format(
      "account={} vouchers={} candidates={} threshold={} reported={} "
      "distinct_images={} verified={} refused={} outcome={} flagged={} "
      "verified_entries={} unverified={} inconsistent={} epochs={} "
      "distinct_keys={}\n",
      counts.account, counts.vouchers, counts.candidates, run.group->threshold,
      reported ? "yes" : "no", run.distinct_images, revealed ? revealed->matches.size() : 0,
      counts.refused, outcome_name, run.outcome == Outcome::kTooManySynthetics ? "yes" : "no",
      revealed ? revealed->verified_entries() : 0, revealed ? revealed->unverified : 0,
      counts.inconsistent, fmt::join(revealed ? revealed->epochs : EpochsOf(*run.group), ","),
      run.distinct_keys);
}

// Adds a reportable group's report to the account's: every group that crossed its own
// threshold is shown; the threshold stated is the newest such group's (runs come newest first).
void Merge(std::optional<psi::AccountReport>& into, psi::AccountReport report) {
  if (!into) {
    into = std::move(report);
    return;
  }
  into->epochs.insert(into->epochs.end(), report.epochs.begin(), report.epochs.end());
  std::sort(into->epochs.begin(), into->epochs.end());
  into->real_images += report.real_images;
  into->unverified += report.unverified;
  for (auto& match : report.matches) into->matches.push_back(std::move(match));
  into->unopened.insert(into->unopened.end(), report.unopened.begin(), report.unopened.end());
}

}  // namespace

Result<std::unique_ptr<AccountProcessing>> AccountProcessing::Create(
    StorePool& stores, const std::filesystem::path& sources, std::filesystem::path reports_dir,
    const ServedDbs& served) {
  HV_ASSIGN_OR_RETURN(auto source_store, hashdb::SourceStore::OpenExisting(sources));
  Publications originals;
  for (const psi::ServedDb& db : served.all) {
    const std::uint64_t epoch = db.params.shape.epoch;
    HV_ASSIGN_OR_RETURN(originals[epoch], source_store->LoadPublication(epoch));
  }
  std::error_code error;
  std::filesystem::create_directories(reports_dir, error);
  if (error) return Status::IoError("cannot create the reports directory");
  return std::unique_ptr<AccountProcessing>(new AccountProcessing(
      stores, std::move(reports_dir), GroupEpochsByGeneration(served.all), std::move(originals)));
}

Result<ProcessingSummary> AccountProcessing::RunOnce() {
  HV_ASSIGN_OR_RETURN(auto store, stores_.Acquire());
  HV_ASSIGN_OR_RETURN(const auto buckets, store->DirtyBuckets());
  std::map<std::string, std::string> lines;  // by account: printed in name order
  ProcessingSummary summary;
  for (const std::uint32_t bucket : buckets) {
    // A bucket another processor holds is its to finish.
    HV_ASSIGN_OR_RETURN(const auto claimed, store->ClaimBucket(bucket));
    if (!claimed) continue;
    const Status processed = ProcessBucket(*store, *claimed, lines, summary.reports_written);
    // Released on failure too: the store goes back to the pool, which must not keep the lock.
    const Status released = store->ReleaseBucket(bucket);
    HV_RETURN_IF_ERROR(processed);
    HV_RETURN_IF_ERROR(released);
  }
  summary.accounts = lines.size();
  for (const auto& [account, line] : lines) summary.lines += line;
  return summary;
}

Status AccountProcessing::ProcessBucket(psi::ShareStore& store, const psi::ClaimedBucket& claimed,
                                        std::map<std::string, std::string>& lines,
                                        std::uint64_t& reports_written) {
  for (const psi::DirtyAccount& dirty : claimed.accounts) {
    const psi::AccountCounts& counts = dirty.counts;
    auto& seen = seen_[counts.account];
    if (seen.line.empty() || seen.vouchers != counts.vouchers ||
        seen.candidates != counts.candidates) {
      HV_ASSIGN_OR_RETURN(seen.line, ProcessAccount(store, counts, reports_written));
      seen.vouchers = counts.vouchers;
      seen.candidates = counts.candidates;
    }
    // Only once its report is written: a processor that dies before leaves the account dirty.
    HV_RETURN_IF_ERROR(store.FinishAccount(claimed.bucket, dirty));
    lines[counts.account] = seen.line;
  }
  return Status::Ok();
}

Result<std::string> AccountProcessing::ProcessAccount(psi::ShareStore& store,
                                                      const psi::AccountCounts& counts,
                                                      std::uint64_t& reports_written) {
  HV_ASSIGN_OR_RETURN(auto candidates, store.LoadCandidates(counts.account));
  std::vector<GroupRun> runs;
  for (const psi::EpochGroup& group : groups_) {
    // Each candidate belongs to one group: its epoch's.
    std::vector<psi::StoredCandidate> mine;
    for (auto& stored : candidates) {
      if (group.shapes.contains(stored.epoch)) mine.push_back(std::move(stored));
    }
    GroupRun run{.group = &group};
    if (!mine.empty()) {
      HV_ASSIGN_OR_RETURN(auto result, psi::ProcessThreshold(counts.account, mine, group));
      run.outcome = result.outcome;
      run.distinct_images = result.distinct_images;
      run.distinct_keys = result.distinct_keys;
      if (run.outcome == Outcome::kRevealed) {
        run.revealed = psi::VerifyRevealed(
            counts, std::move(result),
            [this](std::uint64_t epoch) -> std::span<const hashdb::PublishedEntry> {
              const auto found = originals_.find(epoch);
              if (found == originals_.end()) return {};
              return found->second;
            },
            EpochsOf(group), group.threshold);
      }
    }
    runs.push_back(std::move(run));
  }
  // Every group that crossed its own threshold with t distinct verified entries is reported.
  std::optional<psi::AccountReport> report;
  GroupRun shown{.outcome = Outcome::kRevealed};
  for (GroupRun& run : runs) {
    if (!run.revealed || !run.revealed->reportable()) continue;
    if (shown.group == nullptr) shown.group = run.group;
    shown.distinct_images += run.distinct_images;
    shown.distinct_keys += run.distinct_keys;
    Merge(report, std::move(*run.revealed));
  }
  if (report) {
    HV_ASSIGN_OR_RETURN(const psi::ReportWrite written,
                        psi::WriteAccountReport(*report, reports_dir_));
    // A report of more vouchers, another processor's, is kept: this run wrote none.
    if (written == psi::ReportWrite::kWritten) ++reports_written;
    shown.revealed = std::move(report);
    return SummaryLine(counts, shown);
  }
  // Nothing reported: a flagged group, else one revealed but unverified, else the newest.
  for (const Outcome wanted : {Outcome::kTooManySynthetics, Outcome::kRevealed}) {
    for (const GroupRun& run : runs) {
      if (run.outcome == wanted) return SummaryLine(counts, run);
    }
  }
  return SummaryLine(counts, runs.front());
}

}  // namespace hashveil::tools::serve
