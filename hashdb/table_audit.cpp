#include "table_audit.h"

#include "okvs.h"

namespace hashveil::hashdb {
namespace {

// The table `proof` solves to under `attempt`: kFailedPrecondition when its keys do not peel
// or the solved table is not one the builder may publish (an identity or repeated cell).
Result<std::vector<psi::Point>> Recompute(const ClientDb& db, const DbProof& proof,
                                          std::uint32_t attempt, unsigned threads,
                                          OkvsPlan* plan_out = nullptr) {
  const ClientDbParams& params = db.params();
  HV_ASSIGN_OR_RETURN(
      OkvsPlan plan, PlanOkvs(proof.keys, params.db_nonce, attempt, params.cell_count, threads));
  HV_ASSIGN_OR_RETURN(std::vector<psi::Point> table,
                      SolveOkvs(plan, proof.values, proof.filler_seed, threads));
  if (plan_out != nullptr) *plan_out = std::move(plan);
  return table;
}

}  // namespace

Result<TableAudit> AuditTable(const ClientDb& db, const DbProof& proof, unsigned threads,
                              const std::function<void(std::string)>& finding) {
  const ClientDbParams& params = db.params();
  TableAudit audit;
  // The builder takes the first attempt that peels and solves; a later one would let a
  // publisher choose among placements.
  audit.attempt_is_first = true;
  for (std::uint32_t earlier = 0; earlier < params.okvs_attempt; ++earlier) {
    auto table = Recompute(db, proof, earlier, threads);
    if (table.ok()) {
      finding("the header's OKVS attempt " + std::to_string(params.okvs_attempt) +
              " is not the first: attempt " + std::to_string(earlier) +
              " already peels and solves the proof's keys");
    }
    // Anything but "does not peel or solve" (values that are not points, too many keys) fails
    // the header's attempt as well, and is reported there.
    if (table.ok() || table.status().code() != StatusCode::kFailedPrecondition) {
      audit.attempt_is_first = false;
      break;
    }
  }

  OkvsPlan plan;
  auto table = Recompute(db, proof, params.okvs_attempt, threads, &plan);
  if (!table.ok()) {
    finding("the table cannot be recomputed from the proof under the header's OKVS attempt " +
            std::to_string(params.okvs_attempt) + ": " + table.status().message());
    return audit;
  }
  for (std::uint64_t cell = 0; cell < params.cell_count; ++cell) {
    const bool free = !plan.is_pivot[cell];
    audit.free_cells += free;
    if (db.cell(cell) == (*table)[cell]) continue;
    ++audit.cells_differing;
    finding("cell " + std::to_string(cell) +
            " differs from the table recomputed from the proof's keys, values and filler seed" +
            (free ? " (a free cell: not the seed's filler)" : ""));
  }
  audit.cells_checked = params.cell_count;
  return audit;
}

}  // namespace hashveil::hashdb
