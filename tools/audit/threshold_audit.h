// `hashveil audit thresholds` as a library (docs/design.md section 8): hash the corpus under the
// transform suite once, measure recall and false matches for every parameter set, validate the
// false-match model at short keys and carry it to each set's own k, judge the account-level
// risk, measure the DB cost, and recommend a set (Recommend; docs/parameters.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/account_risk.h"
#include "audit/corpus_files.h"
#include "audit/corpus_hashes.h"
#include "audit/detection_curve.h"
#include "audit/measurements.h"
#include "audit/model_validation.h"
#include "audit/parameter_set.h"
#include "audit/server_cost.h"
#include "audit/transforms.h"
#include "hashveil/common/status.h"

namespace hashveil::audit {

// Issue 5's per-set criteria, still reported per set (the per-image Clopper-Pearson bound no
// corpus at hand can reach); issue 12's rule (Recommend) uses the account criterion instead.
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
  std::filesystem::path corpus_root;  // the folder `corpus` came from: file names relative to it
  // Called from the calling thread for every corpus file the audit cannot use, before the audit
  // goes on or is refused for want of usable images.
  std::function<void(const RejectedFile&)> on_rejected_file;
};

// How many distinct-photo key matches are listed per set (all are counted).
inline constexpr std::size_t kListedDistinctMatches = 50;
// How many single-transform detection curves beside the mix: the benign ones with least recall.
inline constexpr std::size_t kWorstTransformCurves = 3;

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
  ModelValidation validation;  // the validated per-image rate and the riskiest decile's
  AccountAssessment account;   // at the default threshold, from the validated rates
  bool meets_account = false;  // account.met with a validated model (validation.validated)
  // Key matches between unrelated photos (PDQ distance >= kUnrelatedPairDistance) among
  // pairs.distinct_matches; those at 32..63 are versions of one picture or scene, listed for
  // review. The rule needs none between unrelated photos.
  std::uint64_t unrelated_key_matches = 0;
  bool meets_no_unrelated_match = false;
};

// Issue 12's rule: among the sets with no key match among unrelated photos at their own k and
// the account criterion met (by a model that passed its held-out check), the highest pooled benign
// recall ratio; ties to fewer probes P, then the earlier set. None when no set qualifies.
std::optional<std::size_t> Recommend(const std::vector<ParameterSetResult>& sets);

struct AuditResult {
  std::uint64_t seed = 0;
  int working_side = 0;
  std::uint64_t corpus_files = 0;
  CorpusHashes corpus;  // counts and hashes (hashes stay in memory only)
  std::vector<std::string> image_names;  // per usable image, its file relative to corpus_root
  std::vector<std::filesystem::path> image_paths;  // the same, as given (for thumbnails)
  std::vector<RejectedFile> rejected;              // file names relative to corpus_root
  std::uint64_t unrelated_pairs = 0;  // ordered pairs of unrelated photos (distance >= 64)
  std::uint64_t threshold = 0;       // the default t the account criterion uses
  std::vector<MatchingScheme> schemes;
  std::vector<TransformMeasurement> transforms;
  double plain_benign_recall = 0;
  PairMeasurements pairs;
  double plain_pair_rate_upper = 0;
  std::uint64_t db_entries = 0;
  std::vector<ParameterSetResult> sets;
  std::optional<std::size_t> recommended;  // index into sets
  bool bound_supported = false;  // whether any set met the per-image bound on this corpus
  // Detection curves for the recommended set (else the first): the benign mix, then the
  // benign transforms with the least recall.
  std::size_t detection_set = 0;
  std::vector<DetectionCurve> detection;
  // Wall-clock seconds per phase: the only part that varies between runs with the same seed.
  double hashing_seconds = 0, measuring_seconds = 0, validation_seconds = 0, cost_seconds = 0;
};

// (phase name, done, total), from the calling thread.
using AuditProgress = std::function<void(const std::string& phase, std::uint64_t done,
                                         std::uint64_t total)>;

// Errors: kInvalidInput (no parameter set, an empty corpus, or fewer than two usable corpus
// images; the unusable ones are reported through on_rejected_file first), kIoError
// (scratch not writable), and any error of the real DB and voucher code the cost runs.
Result<AuditResult> RunThresholdAudit(const AuditOptions& options,
                                      const AuditProgress& progress = {});

// The number of pairs with zero events for which the 95% Clopper-Pearson bound per image against
// `db_entries` drops to `per_image_bound`: how large a corpus the bound would need.
double PairsNeededForBound(double per_image_bound, std::uint64_t db_entries);

}  // namespace hashveil::audit
