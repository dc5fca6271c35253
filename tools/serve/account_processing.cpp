#include "account_processing.h"

#include <fmt/format.h>

#include "hashveil/hashdb/source_store.h"
#include "hashveil/psi/report.h"
#include "hashveil/psi/threshold.h"

namespace hashveil::tools::serve {
namespace {

std::string_view OutcomeName(psi::ThresholdResult::Outcome outcome) {
  switch (outcome) {
    case psi::ThresholdResult::Outcome::kBelowThreshold: return "below_threshold";
    case psi::ThresholdResult::Outcome::kRevealed: return "revealed";
    case psi::ThresholdResult::Outcome::kTooManySynthetics: return "too_many_synthetics";
  }
  return "unknown";
}

// The line `hashveil server process` prints for an account, field for field.
// `verified` and `verified_entries` are those of the report when the account was revealed;
// `outcome_name` says why it was not reported otherwise.
std::string SummaryLine(const psi::AccountCounts& counts, std::uint32_t threshold,
                        const psi::AccountReport* revealed, psi::ThresholdResult::Outcome outcome) {
  const bool reported = revealed != nullptr && revealed->reportable();
  std::string_view outcome_name = OutcomeName(outcome);
  if (revealed != nullptr && !reported) outcome_name = "unverified";
  return fmt::format("account={} vouchers={} candidates={} threshold={} reported={} "
                     "distinct_images={} verified={} refused={} outcome={} flagged={} "
                     "verified_entries={} unverified={} inconsistent={}\n",
                     counts.account, counts.vouchers, counts.candidates, threshold,
                     reported ? "yes" : "no", counts.distinct_shares,
                     revealed ? revealed->matches.size() : 0, counts.refused, outcome_name,
                     outcome == psi::ThresholdResult::Outcome::kTooManySynthetics ? "yes" : "no",
                     revealed ? revealed->verified_entries() : 0,
                     revealed ? revealed->unverified : 0, counts.inconsistent);
}

}  // namespace

Result<std::unique_ptr<AccountProcessing>> AccountProcessing::Create(
    StorePool& stores, const std::filesystem::path& sources, std::filesystem::path reports_dir,
    const psi::ServedDbParams& served) {
  HV_ASSIGN_OR_RETURN(auto source_store, hashdb::SourceStore::Open(sources));
  HV_ASSIGN_OR_RETURN(auto originals, source_store->LoadPublication(served.shape.epoch));
  std::error_code error;
  std::filesystem::create_directories(reports_dir, error);
  if (error) return Status::IoError("cannot create the reports directory");
  return std::unique_ptr<AccountProcessing>(
      new AccountProcessing(stores, std::move(reports_dir), served, std::move(originals)));
}

Result<ProcessingSummary> AccountProcessing::RunOnce() {
  HV_ASSIGN_OR_RETURN(auto store, stores_.Acquire());
  HV_ASSIGN_OR_RETURN(const auto accounts, store->ListAccounts());
  ProcessingSummary summary;
  summary.accounts = accounts.size();
  for (const psi::AccountCounts& counts : accounts) {
    auto& seen = seen_[counts.account];
    if (seen.line.empty() || seen.vouchers != counts.vouchers ||
        seen.candidates != counts.candidates) {
      HV_ASSIGN_OR_RETURN(seen.line, ProcessAccount(*store, counts, summary.reports_written));
      seen.vouchers = counts.vouchers;
      seen.candidates = counts.candidates;
    }
    summary.lines += seen.line;
  }
  return summary;
}

Result<std::string> AccountProcessing::ProcessAccount(psi::ShareStore& store,
                                                      const psi::AccountCounts& counts,
                                                      std::uint64_t& reports_written) {
  // Below t distinct images ProcessThreshold can only answer "below": skip loading them.
  if (counts.distinct_shares < served_.threshold) {
    return SummaryLine(counts, served_.threshold, nullptr,
                       psi::ThresholdResult::Outcome::kBelowThreshold);
  }
  HV_ASSIGN_OR_RETURN(const auto candidates, store.LoadCandidates(counts.account));
  HV_ASSIGN_OR_RETURN(auto result,
                      psi::ProcessThreshold(counts.account, candidates, served_.shape, served_.threshold));
  const auto outcome = result.outcome;
  if (outcome != psi::ThresholdResult::Outcome::kRevealed) {
    return SummaryLine(counts, served_.threshold, nullptr, outcome);
  }
  const psi::AccountReport report = psi::VerifyRevealed(
      counts, std::move(result), originals_, served_.shape.epoch, served_.threshold);
  // Fewer than t distinct DB entries verified: nothing reaches a reviewer.
  if (report.reportable()) {
    HV_RETURN_IF_ERROR(psi::WriteAccountReport(report, reports_dir_));
    ++reports_written;
  }
  return SummaryLine(counts, served_.threshold, &report, outcome);
}

}  // namespace hashveil::tools::serve
