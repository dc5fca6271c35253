// The cost of a parameter set, measured with the real implementation (docs/design.md sections 5-7):
// for each (L, P), a client DB of the corpus hashes is published with hashdb::BuildClientDb,
// loaded and verified as a device would, and vouchers for corpus images are built
// (psi::VoucherBuilder) and opened (psi::VoucherOpener). k does not change any of these (every
// key becomes one 32-byte point and one probe), so k = 64 stands for all.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "audit/corpus_hashes.h"
#include "audit/parameter_set.h"
#include "hashveil/common/status.h"

namespace hashveil::audit {

struct ServerCost {
  std::uint32_t tables = 0;            // L
  std::uint32_t probes = 0;            // P
  double load = 0;                     // keys per cell of the 3-cell table
  std::uint64_t entries = 0;
  std::uint64_t placed_keys = 0;
  std::uint64_t dropped_keys = 0;  // 0 since DB format 3, which holds every key
  std::uint64_t db_bytes = 0;
  std::uint64_t voucher_bytes = 0;
  // Timings (wall clock, mean per voucher over `vouchers` images): vary between runs.
  std::uint32_t vouchers = 0;
  double client_build_ms = 0;
  double server_open_ms = 0;
  double bytes_per_entry() const { return entries ? static_cast<double>(db_bytes) / entries : 0; }
};

// One measurement per distinct (L, P) of `sets`, using `vouchers` corpus images for the
// timings. Files go to (and are removed from) `scratch`; keys are drawn from `seed`, so sizes
// are the same on every run. Errors: kInvalidInput (no usable corpus image),
// kIoError (scratch not writable), and any error of the DB builder, loader or voucher code.
Result<std::vector<ServerCost>> MeasureServerCosts(const CorpusHashes& corpus,
                                                   const std::vector<ParameterSet>& sets,
                                                   const std::filesystem::path& scratch,
                                                   std::uint64_t seed, std::uint32_t vouchers = 8);

}  // namespace hashveil::audit
