// `hashveil audit thresholds` as a library (docs/design.md section 8): hash the corpus under the
// transform suite once, measure recall and false matches for every parameter set, the DB cost,
// and pick the cheapest set that meets the acceptance criteria (docs/parameters.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/corpus_hashes.h"
#include "audit/measurements.h"
#include "audit/parameter_set.h"
#include "audit/server_cost.h"
#include "audit/transforms.h"
#include "hashveil/common/status.h"

namespace hashveil::audit {

// The acceptance criteria for a default (issue 5). Where the corpus is too small for the
// Clopper-Pearson bound to reach kRequiredPerImageBound, the independent-bits model must.
inline constexpr double kRequiredRecallRatio = 0.98;  // of plain PDQ@31, benign transforms pooled
inline constexpr double kRequiredPerImageBound = 1e-9;
inline constexpr std::uint64_t kReferenceDbEntries = 1'000'000;
inline constexpr double kConfidence = 0.95;

struct AuditOptions {
  std::vector<std::filesystem::path> corpus;  // image files, in a stable order
  std::vector<ParameterSet> parameter_sets;
  std::uint64_t seed = 1;
  // The longest side transformed copies start from (0: the original's full size).
  int working_side = kMessengerSide;
  unsigned threads = 0;  // 0: every hardware thread
  std::uint64_t db_entries = kReferenceDbEntries;  // N for the per-image rate
  std::filesystem::path scratch;  // for the throwaway cost DBs
  std::uint32_t cost_vouchers = 8;  // vouchers built and opened per (L, P, c) for the timings
};

struct ParameterSetResult {
  ParameterSet set;
  std::size_t scheme = 0;  // index into AuditResult::schemes
  double benign_recall = 0;        // pooled over the benign transforms
  double benign_recall_ratio = 0;  // benign_recall / plain PDQ@31's pooled benign recall
  double worst_benign_ratio = 0;   // the lowest per-transform ratio among benign transforms
  PrivatePairMeasurement pairs;
  double pair_rate_upper = 0;       // Clopper-Pearson 95% upper bound per distinct pair
  double per_image_rate_upper = 0;  // against a DB of db_entries distinct entries
  double model_pair_rate = 0;       // ModelPairRates: an estimate, not a bound
  double model_per_image_rate = 0;  // the same against db_entries entries
  std::uint64_t outer_entries = 0;  // P * c: the server's scalar multiplications per voucher
  ServerCost cost;
  bool meets_recall = false, meets_no_false_match = false, meets_bound = false;
  bool meets_model = false;  // model_per_image_rate <= kRequiredPerImageBound
};

struct AuditResult {
  std::uint64_t seed = 0;
  int working_side = 0;
  std::uint64_t corpus_files = 0;
  CorpusHashes corpus;  // counts and hashes (hashes stay in memory only)
  std::vector<MatchingScheme> schemes;
  std::vector<TransformMeasurement> transforms;
  double plain_benign_recall = 0;
  PairMeasurements pairs;
  double plain_pair_rate_upper = 0;
  std::uint64_t db_entries = 0;
  std::vector<ParameterSetResult> sets;
  std::optional<std::size_t> recommended;  // index into sets
  bool bound_supported = false;  // whether any set met the per-image bound on this corpus
  // Wall-clock seconds per phase: the only part that varies between runs with the same seed.
  double hashing_seconds = 0, measuring_seconds = 0, cost_seconds = 0;
};

// (phase name, done, total), from the calling thread.
using AuditProgress = std::function<void(const std::string& phase, std::uint64_t done,
                                         std::uint64_t total)>;

// Errors: kInvalidInput (no parameter set, or fewer than two usable corpus images), kIoError
// (scratch not writable), and any error of the real DB and voucher code the cost runs.
Result<AuditResult> RunThresholdAudit(const AuditOptions& options,
                                      const AuditProgress& progress = {});

// The number of pairs with zero events for which the 95% Clopper-Pearson bound per image against
// `db_entries` drops to `per_image_bound`: how large a corpus the bound would need.
double PairsNeededForBound(double per_image_bound, std::uint64_t db_entries);

}  // namespace hashveil::audit
