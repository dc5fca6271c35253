// The DB side of the cost per parameter set, measured by publishing a real client DB of the
// corpus hashes (hashdb::BuildClientDb) for each (L, c): its bytes per entry and the keys the
// cuckoo table dropped (each a false negative).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "audit/corpus_hashes.h"
#include "audit/parameter_set.h"
#include "hashveil/common/status.h"

namespace hashveil::audit {

// The load each cuckoo function count is built at (DESIGN.md section 5): two functions place
// nearly every key only below 0.5, three reach about 0.9.
double CuckooLoad(std::uint32_t cuckoo_functions);

struct DbCost {
  std::uint32_t tables = 0;            // L
  std::uint32_t cuckoo_functions = 0;  // c
  double load = 0;
  std::uint64_t entries = 0;
  std::uint64_t placed_keys = 0;
  std::uint64_t dropped_keys = 0;
  std::uint64_t db_bytes = 0;
  double bytes_per_entry() const { return entries ? static_cast<double>(db_bytes) / entries : 0; }
};

// One DB per distinct (L, c) of `sets`, written to (and removed from) `scratch`, its keys drawn
// from `seed`. k does not
// change the DB's size (every key becomes one 32-byte point), so k = 64 stands for all.
// Errors: kInvalidInput (no usable corpus image), kIoError (scratch not writable).
Result<std::vector<DbCost>> MeasureDbCosts(const CorpusHashes& corpus,
                                           const std::vector<ParameterSet>& sets,
                                           const std::filesystem::path& scratch,
                                           std::uint64_t seed);

}  // namespace hashveil::audit
