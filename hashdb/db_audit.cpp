#include "hashveil/hashdb/db_audit.h"

#include <algorithm>
#include <mutex>
#include <optional>

#include "hashveil/hashdb/db_builder.h"
#include "table_audit.h"

namespace hashveil::hashdb {
namespace {

constexpr std::size_t kMaxProblemLines = 20;

class Findings {
 public:
  explicit Findings(DbAuditReport& report) : report_(report) {}
  void Add(std::string problem) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++total_;
    if (report_.problems.size() < kMaxProblemLines) report_.problems.push_back(std::move(problem));
  }
  void Finish() {
    if (total_ > report_.problems.size()) {
      report_.problems.push_back("... " + std::to_string(total_ - report_.problems.size()) +
                                 " more problems not listed");
    }
  }

 private:
  DbAuditReport& report_;
  std::mutex mutex_;
  std::uint64_t total_ = 0;
};

bool Contains(const std::vector<matcher::MatchKey>& sorted, const matcher::MatchKey& key) {
  return std::binary_search(sorted.begin(), sorted.end(), key);
}

// Which entries a base key belongs to, for naming them in findings: built on first use (an
// honest DB needs none of it).
class KeyOwners {
 public:
  KeyOwners(std::span<const PublishedEntry> entries, const matcher::KeyScheme& scheme)
      : entries_(entries), scheme_(scheme) {}

  // "HASH (sources a, b)" for up to three entries with the key, "" for none.
  std::string Describe(const matcher::MatchKey& key) {
    if (index_.empty() && !entries_.empty()) Index();
    auto it = std::lower_bound(index_.begin(), index_.end(), std::pair(key, std::size_t{0}));
    std::string names;
    std::size_t named = 0;
    for (; it != index_.end() && it->first == key; ++it, ++named) {
      if (named == kMaxNamed) {
        names += " and more";
        break;
      }
      const PublishedEntry& entry = entries_[it->second];
      std::string sources;
      for (const std::string& source : entry.sources)
        sources += (sources.empty() ? "" : ", ") + source;
      names += (named == 0 ? "" : "; ") + entry.hash.ToHex() + " (sources " + sources + ")";
    }
    return names;
  }

 private:
  static constexpr std::size_t kMaxNamed = 3;

  void Index() {
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      for (const matcher::MatchKey& key : matcher::BaseKeys(entries_[i].hash, scheme_)) {
        index_.emplace_back(key, i);
      }
    }
    std::sort(index_.begin(), index_.end());
  }

  std::span<const PublishedEntry> entries_;
  matcher::KeyScheme scheme_;
  std::vector<std::pair<matcher::MatchKey, std::size_t>> index_;
};

// The proof's keys against the set's: every proof key must be in the set, every set key in the
// proof. The proof's order is not trusted here (VerifyDbProof checks it).
Status CompareKeySets(const std::vector<matcher::MatchKey>& expected, const DbProof& proof,
                      KeyOwners& set_owners,
                      const std::function<Result<std::string>(const matcher::MatchKey&)>&
                          describe_extra,
                      DbAuditReport& report, Findings& findings) {
  for (const matcher::MatchKey& key : proof.keys) {
    if (Contains(expected, key)) continue;
    ++report.extra_keys;
    HV_ASSIGN_OR_RETURN(const std::string owner, describe_extra(key));
    findings.Add(owner.empty()
                     ? "extra key: the table holds a key of no hash the store held"
                     : "extra key: the table holds the key of " + owner +
                           ", which the policy leaves out");
  }
  std::vector<matcher::MatchKey> proven = proof.keys;
  std::sort(proven.begin(), proven.end());
  for (const matcher::MatchKey& key : expected) {
    if (Contains(proven, key)) continue;
    ++report.missing_keys;
    findings.Add("missing key: the key of " + set_owners.Describe(key) + " is not in the table");
  }
  return Status::Ok();
}

}  // namespace

Result<DbAuditReport> AuditClientDb(std::span<const PublishedEntry> included_set,
                                    const HeldHashesLoader& load_held_hashes, const ClientDb& db,
                                    const DbProof& proof, unsigned threads,
                                    const ProgressCallback& proof_progress) {
  const ClientDbParams& params = db.params();
  DbAuditReport report;
  Findings findings(report);
  if (proof.db_digest != db.digest()) {
    findings.Add("the proof is for another DB (digest differs)");
    findings.Finish();
    return report;
  }
  KeyOwners set_owners(included_set, params.key_scheme);
  // Loaded on the first extra key only.
  std::vector<PublishedEntry> held_hashes;
  std::optional<KeyOwners> held_owners;
  const auto describe_extra = [&](const matcher::MatchKey& key) -> Result<std::string> {
    if (!held_owners) {
      if (load_held_hashes) {
        HV_ASSIGN_OR_RETURN(held_hashes, load_held_hashes());
      }
      held_owners.emplace(held_hashes, params.key_scheme);
    }
    return held_owners->Describe(key);
  };
  const DistinctKeys expected = DistinctBaseKeys(included_set, params.key_scheme);
  report.expected_entries = included_set.size();
  report.expected_keys = expected.keys.size();
  report.proven_keys = proof.keys.size();
  if (params.entry_count != included_set.size()) {
    findings.Add("the header counts " + std::to_string(params.entry_count) +
                 " entries; the policy's set has " + std::to_string(included_set.size()));
  }
  if (params.key_count != proof.keys.size()) {
    findings.Add("the header counts " + std::to_string(params.key_count) +
                 " keys; the proof lists " + std::to_string(proof.keys.size()));
  }
  HV_RETURN_IF_ERROR(
      CompareKeySets(expected.keys, proof, set_owners, describe_extra, report, findings));

  // The seed must open the commitment in the signed header, which fixed it before the table was
  // published; without it the free cells cannot be checked, so neither can the table.
  report.filler_seed_matches =
      CommitToFillerSeed(proof.filler_seed) == params.filler_seed_commitment;
  if (!report.filler_seed_matches) {
    findings.Add(std::string(kFillerSeedMismatch) + ": the table cannot be recomputed");
  } else {
    HV_ASSIGN_OR_RETURN(
        const TableAudit table,
        AuditTable(db, proof, threads, [&](std::string problem) { findings.Add(problem); }));
    report.attempt_is_first = table.attempt_is_first;
    report.cells_checked = table.cells_checked;
    report.free_cells = table.free_cells;
    report.cells_differing = table.cells_differing;
  }

  // VerifyDbProof refuses a mismatched seed too; that finding is listed once, above.
  Status verified = VerifyDbProof(db, proof, threads, proof_progress);
  report.proof_verified = verified.ok();
  if (!verified.ok() && report.filler_seed_matches) findings.Add("proof: " + verified.message());
  findings.Finish();
  return report;
}

}  // namespace hashveil::hashdb
