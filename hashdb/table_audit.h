// The auditor's recomputation of a client DB's OKVS table from its proof (docs/protocol.md 5.5).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/db_proof.h"

namespace hashveil::hashdb {

struct TableAudit {
  bool attempt_is_first = false;    // no earlier attempt peels and solves the proof's keys
  std::uint64_t cells_checked = 0;  // 0 when the table could not be recomputed
  std::uint64_t free_cells = 0;     // of those, cells no key pivots on: the seed's fillers
  std::uint64_t cells_differing = 0;
};

// Plans and solves the table from the proof's keys, values and filler seed under the header's
// attempt and cell count, and compares it with the DB cell by cell; checks that every earlier
// attempt fails to peel or to solve the same keys. Each problem goes to `finding`, naming cells
// and attempts by number. The proof's seed must already be known to open the header's
// commitment. The Status is an error only when the recomputation itself could not run.
Result<TableAudit> AuditTable(const ClientDb& db, const DbProof& proof, unsigned threads,
                              const std::function<void(std::string)>& finding);

}  // namespace hashveil::hashdb
