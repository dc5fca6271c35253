#include "hashveil/psi/report.h"

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "hashveil/common/hex.h"
#include "hashveil/common/secret_file.h"
#include "report_file.h"

namespace hashveil::psi {
namespace {

std::string DerivativeFileName(const AccountReport& report, const VoucherId& id) {
  return report.counts.account + "." + ToHex(id) + ".png";
}

std::span<const std::uint8_t> AsBytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

std::uint64_t AccountReport::verified_entries() const {
  // One known image is one original hash: the same image is a different entry index in every
  // epoch's publication, but keeps its hash (docs/protocol.md 3.3).
  std::set<std::array<std::uint16_t, 16>> originals;
  for (const VerifiedMatch& match : matches) originals.insert(match.original.words);
  return originals.size();
}

AccountReport VerifyRevealed(const AccountCounts& counts, ThresholdResult revealed,
                             const PublicationOf& publication_of,
                             std::vector<std::uint64_t> epochs, std::uint32_t threshold) {
  std::sort(epochs.begin(), epochs.end());
  AccountReport report{.counts = counts,
                       .epochs = std::move(epochs),
                       .threshold = threshold,
                       .distinct_keys = revealed.distinct_keys,
                       .distinct_images = revealed.distinct_images,
                       .real_images = revealed.real_images,
                       .matches = {},
                       .unverified = 0,
                       .unopened = std::move(revealed.unopened)};
  for (RevealedVoucher& voucher : revealed.revealed) {
    const std::span<const hashdb::PublishedEntry> originals = publication_of(voucher.epoch);
    int nearest_distance = matcher::PdqHash::kBits + 1;
    std::size_t nearest = originals.size();
    for (std::size_t i = 0; i < originals.size(); ++i) {
      const int distance = matcher::HammingDistance(voucher.payload.hash, originals[i].hash);
      if (distance < nearest_distance) {
        nearest_distance = distance;
        nearest = i;
      }
    }
    if (nearest == originals.size() || nearest_distance > matcher::kPdqMatchDistance) {
      ++report.unverified;
      continue;
    }
    report.matches.push_back({.voucher = std::move(voucher), .distance = nearest_distance,
                              .entry = nearest, .original = originals[nearest].hash,
                              .sources = originals[nearest].sources});
  }
  return report;
}

AccountReport VerifyRevealed(const AccountCounts& counts, ThresholdResult revealed,
                             std::span<const hashdb::PublishedEntry> originals,
                             std::uint64_t epoch, std::uint32_t threshold) {
  for (RevealedVoucher& voucher : revealed.revealed) voucher.epoch = epoch;
  return VerifyRevealed(
      counts, std::move(revealed), [originals](std::uint64_t) { return originals; }, {epoch},
      threshold);
}

// One object per distinct DB entry (one original hash), in order of first match, with the
// entry as first matched (epoch, index, sources) and every voucher that matched it.
nlohmann::json EntriesJson(const AccountReport& report) {
  nlohmann::json entries = nlohmann::json::array();
  std::map<std::array<std::uint16_t, 16>, std::size_t> index_of;
  for (const VerifiedMatch& match : report.matches) {
    const auto [at, inserted] = index_of.try_emplace(match.original.words, entries.size());
    if (inserted) {
      entries.push_back({{"epoch", match.voucher.epoch},
                         {"db_entry", match.entry},
                         {"sources", match.sources},
                         {"voucher_ids", nlohmann::json::array()}});
    }
    entries[at->second]["voucher_ids"].push_back(ToHex(match.voucher.id));
  }
  return entries;
}

std::string AccountReportJson(const AccountReport& report) {
  nlohmann::json matches = nlohmann::json::array();
  for (const VerifiedMatch& match : report.matches) {
    matches.push_back({{"voucher_id", ToHex(match.voucher.id)},
                       {"epoch", match.voucher.epoch},
                       {"verified", true},
                       {"db_entry", match.entry},
                       {"distance", match.distance},
                       {"sources", match.sources},
                       {"quality", match.voucher.payload.quality},
                       {"metadata_hex", ToHex(match.voucher.payload.metadata)},
                       {"derivative_png", DerivativeFileName(report, match.voucher.id)}});
  }
  nlohmann::json unopened = nlohmann::json::array();
  for (const VoucherId& id : report.unopened) unopened.push_back(ToHex(id));
  const nlohmann::json json = {
      {"account", report.counts.account},
      {"epoch", report.epochs.empty() ? 0 : report.epochs.back()},
      {"epochs", report.epochs},
      {"threshold", report.threshold},
      {"vouchers", report.counts.vouchers},
      {"candidates", report.counts.candidates},
      {"distinct_images", report.distinct_images},
      {"distinct_keys", report.distinct_keys},
      {"real_images", report.real_images},
      {"verified", report.matches.size()},
      {"verified_entries", report.verified_entries()},
      {"unverified", report.unverified},
      {"matches", matches},
      {"entries", EntriesJson(report)},
      {"unopened_voucher_ids", unopened},
  };
  return json.dump(2) + "\n";
}

// Reports name an account and show what its matched images look like: owner-only (0600), as
// secrets are; a report is rewritten when the account's counts change. The images need no lock:
// each is named by its voucher and holds that voucher's derivative, the same bytes whoever
// writes it, so a late writer cannot put back an older image.
Result<ReportWrite> WriteAccountReport(const AccountReport& report,
                                       const std::filesystem::path& dir) {
  if (!report.reportable()) {
    return Status::FailedPrecondition("fewer distinct DB entries verified than the threshold");
  }
  for (const VerifiedMatch& match : report.matches) {
    HV_ASSIGN_OR_RETURN(const auto png,
                        matcher::EncodeVisualDerivativePng(match.voucher.payload.derivative));
    HV_RETURN_IF_ERROR(WriteSecretFile(dir / DerivativeFileName(report, match.voucher.id), png,
                                       /*overwrite=*/true)
                           .WithContext("writing a report image"));
  }
  auto written =
      ReplaceReportUnlessNewer(dir, report.counts.account + ".json",
                               AsBytes(AccountReportJson(report)), report.counts.vouchers);
  if (!written.ok()) return written.status().WithContext("writing a report");
  return written;
}

}  // namespace hashveil::psi
