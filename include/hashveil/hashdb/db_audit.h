// Auditing a published client DB against the policy's set, without the secret (docs/design.md 6,
// docs/protocol.md 5.5).
//
// Given the entries the policy selects (recomputed by the auditor from the source lists, e.g.
// SourceStore::ComputeIncludedSet with the DB header's policy), the DB and its proof, checks:
//  - the proof's keys are exactly the distinct base keys of the set (no extra, none missing);
//  - the proof's filler seed opens the header's commitment (CommitToFillerSeed);
//  - the DLEQ proof: every proven value is alpha*H(key) for the alpha behind the header's L;
//  - the table: planned and solved again from the proof's keys, values and seed under the
//    header's attempt, it equals the DB cell by cell, and no earlier attempt peels and solves.
// Together these show the table encodes exactly the set's keys (docs/protocol.md 5.5).
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
  std::uint64_t extra_keys = 0;        // proof keys outside the set
  std::uint64_t missing_keys = 0;      // set keys the proof does not list
  bool filler_seed_matches = false;    // the proof's seed opens the header's commitment
  bool attempt_is_first = false;       // no earlier OKVS attempt peels and solves the keys
  std::uint64_t cells_checked = 0;     // 0 when the table could not be recomputed
  std::uint64_t free_cells = 0;        // cells checked that hold the seed's fillers
  std::uint64_t cells_differing = 0;   // DB cells other than the recomputed table's
  bool proof_verified = false;
  // What is wrong, in order found, at most a few dozen lines. A line about a key names the
  // entries the key belongs to (hash in hex and sources): the auditor holds these lists
  // already, and the finding is only actionable with them (docs/audit.md). Cells are named by
  // index.
  std::vector<std::string> problems;

  bool passed() const { return problems.empty(); }
};

// Every hash the audited store content held, one entry each with its sources, to name the hash
// an extra key belongs to. Called at most once, and only when there is an extra key (an honest
// DB never needs it: reading it costs another pass over the store).
using HeldHashesLoader = std::function<Result<std::vector<PublishedEntry>>()>;

// Audits `db` (loaded with or without its signature checked; the caller reports which) and
// `proof` against `included_set`; `load_held_hashes` may be empty (extra keys then go unnamed).
// `proof_progress` follows the DLEQ verification, the longest step. Failures of the DB are
// findings in the report; the Status is an error only when the audit itself could not run
// (kInternal, or the loader's error).
Result<DbAuditReport> AuditClientDb(std::span<const PublishedEntry> included_set,
                                    const HeldHashesLoader& load_held_hashes,
                                    const ClientDb& db, const DbProof& proof, unsigned threads,
                                    const ProgressCallback& proof_progress = {});

}  // namespace hashveil::hashdb
