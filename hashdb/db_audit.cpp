#include "hashveil/hashdb/db_audit.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>

#include "hashveil/hashdb/db_builder.h"
#include "parallel_for.h"

namespace hashveil::hashdb {
namespace {

constexpr std::size_t kMaxProblemLines = 20;
constexpr std::size_t kMaxNamedAbsent = 10;

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

// Every slot the proof does not claim must hold FillerPoint(seed, slot).
Status CheckFillers(const ClientDb& db, const psi::FillerSeed& seed,
                    const std::vector<bool>& occupied, unsigned threads,
                    const ProgressCallback& progress, DbAuditReport& report, Findings& findings) {
  std::atomic<std::uint64_t> fillers{0};
  std::atomic<std::uint64_t> bad_fillers{0};
  HV_RETURN_IF_ERROR(ParallelFor(
      db.params().slot_count, threads,
      [&](std::uint64_t begin, std::uint64_t end) {
        std::uint64_t checked = 0;
        for (std::uint64_t i = begin; i < end; ++i) {
          if (occupied[i]) continue;
          ++checked;
          if (db.slot(i) != psi::FillerPoint(seed, i)) {
            ++bad_fillers;
            findings.Add("planted filler: slot " + std::to_string(i) +
                         " is not the filler derived from the seed");
          }
        }
        fillers += checked;
        return Status::Ok();
      },
      progress));
  report.fillers_checked = fillers;
  report.bad_fillers = bad_fillers;
  return Status::Ok();
}

}  // namespace

Result<DbAuditReport> AuditClientDb(std::span<const PublishedEntry> included_set,
                                    const HeldHashesLoader& load_held_hashes, const ClientDb& db,
                                    const DbProof& proof, unsigned threads,
                                    const ProgressCallback& filler_progress,
                                    const ProgressCallback& proof_progress) {
  const ClientDbParams& params = db.params();
  DbAuditReport report;
  Findings findings(report);
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
  if (proof.db_digest != db.digest()) {
    findings.Add("the proof is for another DB (digest differs)");
    findings.Finish();
    return report;
  }
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
                 " placed keys; the proof lists " + std::to_string(proof.keys.size()));
  }

  // Which slots the proof claims, so the rest can be checked as fillers; proof keys vs the set.
  std::vector<bool> occupied(params.slot_count, false);
  std::vector<matcher::MatchKey> proven_sorted;
  proven_sorted.reserve(proof.keys.size());
  for (std::size_t i = 0; i < proof.keys.size(); ++i) {
    const ProvenKey& proven = proof.keys[i];
    if (proven.slot >= params.slot_count || occupied[proven.slot]) {
      findings.Add("proof entry " + std::to_string(i) + " names a slot out of range or twice");
      continue;
    }
    occupied[proven.slot] = true;
    proven_sorted.push_back(proven.key);
    if (!Contains(expected.keys, proven.key)) {
      ++report.extra_keys;
      HV_ASSIGN_OR_RETURN(const std::string owner, describe_extra(proven.key));
      findings.Add("extra key: slot " + std::to_string(proven.slot) +
                   (owner.empty()
                        ? " holds a key of no hash the store held"
                        : " holds the key of " + owner + ", which the policy leaves out"));
      continue;
    }
    const auto slots =
        psi::CuckooSlots(params.db_nonce, proven.key, params.slot_count, params.cuckoo_functions);
    if (std::find(slots.begin(), slots.end(), proven.slot) == slots.end()) {
      ++report.misplaced_keys;
      findings.Add("misplaced key: slot " + std::to_string(proven.slot) + " holds the key of " +
                   set_owners.Describe(proven.key) +
                   " but is not one of its cuckoo slots (devices would never probe it)");
    }
  }
  std::sort(proven_sorted.begin(), proven_sorted.end());

  // Set keys not in the table: a legitimate drop has every one of its slots taken.
  std::vector<matcher::MatchKey> absent_with_full_slots;
  for (const matcher::MatchKey& key : expected.keys) {
    if (Contains(proven_sorted, key)) continue;
    const auto slots =
        psi::CuckooSlots(params.db_nonce, key, params.slot_count, params.cuckoo_functions);
    const auto free_slot =
        std::find_if(slots.begin(), slots.end(), [&](std::uint64_t s) { return !occupied[s]; });
    if (free_slot == slots.end()) {
      ++report.dropped_keys;
      absent_with_full_slots.push_back(key);
    } else {
      ++report.missing_keys;
      findings.Add("missing key: the key of " + set_owners.Describe(key) +
                   " is not in the table although its slot " + std::to_string(*free_slot) +
                   " is free");
    }
  }
  // A publisher who omits a key whose slots happen to be full must still declare it dropped.
  if (report.dropped_keys > params.dropped_key_count) {
    const std::uint64_t undeclared = report.dropped_keys - params.dropped_key_count;
    report.missing_keys += undeclared;
    report.dropped_keys = params.dropped_key_count;
    // Which of the absent keys are the undeclared ones is not decidable: all are named.
    std::string named;
    for (std::size_t i = 0; i < absent_with_full_slots.size() && i < kMaxNamedAbsent; ++i) {
      named += (i == 0 ? "" : "; ") + set_owners.Describe(absent_with_full_slots[i]);
    }
    if (absent_with_full_slots.size() > kMaxNamedAbsent) named += "; ...";
    findings.Add("missing key: " + std::to_string(undeclared) +
                 " key(s) of the policy's set are absent beyond the " +
                 std::to_string(params.dropped_key_count) +
                 " drops the header declares; absent with every slot taken: " + named);
  } else if (report.dropped_keys < params.dropped_key_count) {
    findings.Add("the header declares " + std::to_string(params.dropped_key_count) +
                 " dropped keys; only " + std::to_string(report.dropped_keys) +
                 " keys of the policy's set are absent");
  }

  // Every slot the proof does not claim must be the seed's filler, or the server could have
  // planted alpha*H(key) for a key of its choosing there. The seed must open the commitment in
  // the signed header, which fixed it before the table was published.
  report.filler_seed_matches =
      CommitToFillerSeed(proof.filler_seed) == params.filler_seed_commitment;
  if (!report.filler_seed_matches) {
    findings.Add(std::string(kFillerSeedMismatch) + ": the fillers cannot be checked");
  } else {
    HV_RETURN_IF_ERROR(CheckFillers(db, proof.filler_seed, occupied, threads, filler_progress,
                                    report, findings));
  }

  // VerifyDbProof refuses a mismatched seed too; that finding is listed once, above.
  Status verified = VerifyDbProof(db, proof, threads, proof_progress);
  report.proof_verified = verified.ok();
  if (!verified.ok() && report.filler_seed_matches) findings.Add("proof: " + verified.message());
  findings.Finish();
  return report;
}

}  // namespace hashveil::hashdb
