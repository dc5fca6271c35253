// Auditing a published client DB against the policy's set, without the secret (docs/design.md 6).
//
// Given the entries the policy selects (recomputed by the auditor from the source lists, e.g.
// SourceStore::ComputeIncludedSet with the DB header's policy), the DB and its proof, checks:
//  - every distinct base key of the set is in the proof at one of its cuckoo slots, or is one
//    of the header's dropped keys, and a drop is legitimate only if all its slots are occupied;
//  - every key in the proof belongs to the set and sits at one of its own cuckoo slots;
//  - the proof's filler seed opens the header's commitment (CommitToFillerSeed), and every slot
//    not in the proof holds exactly the filler derived from that seed;
//  - the DLEQ proof: every proven slot is alpha*H(key) for the alpha behind the header's L.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/db_proof.h"
#include "hashveil/hashdb/publication.h"
#include "hashveil/hashdb/source_store.h"

namespace hashveil::hashdb {

struct DbAuditReport {
  std::uint64_t expected_entries = 0;  // the policy's set
  std::uint64_t expected_keys = 0;     // its distinct base keys
  std::uint64_t proven_keys = 0;       // keys listed in the proof
  std::uint64_t dropped_keys = 0;      // set keys absent from the table, each with full slots
  std::uint64_t extra_keys = 0;        // proof keys outside the set
  std::uint64_t misplaced_keys = 0;    // proof keys at a slot their cuckoo functions do not give
  std::uint64_t missing_keys = 0;      // set keys absent although one of their slots is free
  bool filler_seed_matches = false;     // the proof's seed opens the header's commitment
  std::uint64_t fillers_checked = 0;   // 0 when the seed does not match: nothing to check against
  std::uint64_t bad_fillers = 0;       // empty slots that are not the seed's filler
  bool proof_verified = false;
  // What is wrong, in order found, at most a few dozen lines. A line about a key names the
  // slot and the entries the key belongs to (hash in hex and sources): the auditor holds these
  // lists already, and the finding is only actionable with them (docs/audit.md).
  std::vector<std::string> problems;

  bool passed() const { return problems.empty(); }
};

// Every hash the audited store content held, one entry each with its sources, to name the hash
// an extra key belongs to. Called at most once, and only when there is an extra key (an honest
// DB never needs it: reading it costs another pass over the store).
using HeldHashesLoader = std::function<Result<std::vector<PublishedEntry>>()>;

// Audits `db` (loaded with or without its signature checked; the caller reports which) and
// `proof` against `included_set`; `load_held_hashes` may be empty (extra keys then go unnamed).
// Failures of the DB are findings in the report; the Status is an error only when the audit
// itself could not run (kInternal, or the loader's error).
Result<DbAuditReport> AuditClientDb(std::span<const PublishedEntry> included_set,
                                    const HeldHashesLoader& load_held_hashes,
                                    const ClientDb& db, const DbProof& proof, unsigned threads,
                                    const ProgressCallback& filler_progress = {},
                                    const ProgressCallback& proof_progress = {});

}  // namespace hashveil::hashdb
