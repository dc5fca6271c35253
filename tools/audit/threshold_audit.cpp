#include "audit/threshold_audit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <tuple>

#include "audit/parallel_for.h"
#include "audit/statistics.h"
#include "audit/transforms.h"
#include "hashveil/hashdb/db_builder.h"

namespace hashveil::audit {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<MatchingScheme> DistinctSchemes(const std::vector<ParameterSet>& sets) {
  std::vector<MatchingScheme> schemes;
  for (const ParameterSet& set : sets) {
    if (std::find(schemes.begin(), schemes.end(), set.matching) == schemes.end()) {
      schemes.push_back(set.matching);
    }
  }
  return schemes;
}

// Recall pooled over the benign transforms: matched (image, transform) pairs over all of them.
double PooledBenignRecall(const std::vector<TransformMeasurement>& transforms,
                          const std::function<double(const TransformMeasurement&)>& recall) {
  double matched = 0, total = 0;
  for (std::size_t t = 0; t < transforms.size(); ++t) {
    if (!TransformSuite()[t].benign) continue;
    matched += recall(transforms[t]) * transforms[t].images;
    total += transforms[t].images;
  }
  return total > 0 ? matched / total : 0;
}

double WorstBenignRatio(const std::vector<TransformMeasurement>& transforms, std::size_t scheme) {
  double worst = 1;
  for (std::size_t t = 0; t < transforms.size(); ++t) {
    if (!TransformSuite()[t].benign || transforms[t].plain_recall <= 0) continue;
    worst = std::min(worst, transforms[t].private_recall[scheme] / transforms[t].plain_recall);
  }
  return worst;
}

// Every scheme the validation needs (each set's own and its shorter ones), measured once each
// in parallel.
std::map<std::string, SchemeEvidence> MeasureAllEvidence(const CorpusHashes& corpus,
                                                         const UnrelatedPairs& pairs,
                                                         const std::vector<MatchingScheme>& own,
                                                         unsigned threads) {
  std::vector<MatchingScheme> needed;
  for (const MatchingScheme& scheme : own) {
    std::vector<MatchingScheme> all = ValidationSchemes(scheme);
    all.push_back(scheme);
    for (const MatchingScheme& s : all) {
      if (std::find(needed.begin(), needed.end(), s) == needed.end()) needed.push_back(s);
    }
  }
  std::vector<SchemeEvidence> evidence(needed.size());
  ParallelFor(needed.size(), threads,
              [&](std::uint64_t i) { evidence[i] = MeasureEvidence(corpus, pairs, needed[i]); });
  std::map<std::string, SchemeEvidence> by_name;
  for (std::size_t i = 0; i < needed.size(); ++i) by_name[Name(needed[i])] = std::move(evidence[i]);
  return by_name;
}

ModelValidation Validate(const MatchingScheme& scheme,
                         const std::map<std::string, SchemeEvidence>& evidence,
                         std::uint64_t unrelated_pairs, double db_entries) {
  std::vector<const SchemeEvidence*> shorter;
  for (const MatchingScheme& s : ValidationSchemes(scheme))
    shorter.push_back(&evidence.at(Name(s)));
  return ValidateModel(scheme, shorter, evidence.at(Name(scheme)), unrelated_pairs, db_entries);
}

// The mix (benign transforms, equally weighted), then the benign transforms with least recall.
std::vector<DetectionCurve> DetectionCurves(const std::vector<TransformMeasurement>& transforms,
                                            std::size_t scheme, std::uint64_t threshold) {
  std::vector<double> recall, weights;
  std::vector<std::pair<double, std::size_t>> benign;
  for (std::size_t t = 0; t < transforms.size(); ++t) {
    recall.push_back(transforms[t].private_recall[scheme]);
    weights.push_back(TransformSuite()[t].benign ? 1 : 0);
    if (TransformSuite()[t].benign) benign.emplace_back(recall.back(), t);
  }
  std::vector<DetectionCurve> curves = {ComputeDetectionCurve(
      "benign transforms, equally weighted", MixedRecall(recall, weights), threshold)};
  std::sort(benign.begin(), benign.end());
  for (std::size_t i = 0; i < std::min(kWorstTransformCurves, benign.size()); ++i) {
    curves.push_back(
        ComputeDetectionCurve(std::string(TransformSuite()[benign[i].second].name) + " only",
                              benign[i].first, threshold));
  }
  return curves;
}

std::string RelativeName(const std::filesystem::path& file, const std::filesystem::path& root) {
  if (root.empty()) return file.filename().generic_string();
  return file.lexically_relative(root).generic_string();
}

}  // namespace

std::optional<std::size_t> Recommend(const std::vector<ParameterSetResult>& sets) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const ParameterSetResult& s = sets[i];
    if (!s.meets_no_unrelated_match || !s.meets_account) continue;
    if (!best) {
      best = i;
      continue;
    }
    const ParameterSetResult& b = sets[*best];
    if (std::tuple(-s.benign_recall_ratio, s.set.matching.keys.probes) <
        std::tuple(-b.benign_recall_ratio, b.set.matching.keys.probes)) {
      best = i;
    }
  }
  return best;
}

double PairsNeededForBound(double per_image_bound, std::uint64_t db_entries) {
  // Per-pair rate p with 1 - (1 - p)^N = bound, then trials m with 1 - (1 - conf)^(1/m) = p.
  const double pair_rate = -std::expm1(std::log1p(-per_image_bound) / static_cast<double>(db_entries));
  return std::log1p(-kConfidence) / std::log1p(-pair_rate);
}

Result<AuditResult> RunThresholdAudit(const AuditOptions& options, const AuditProgress& progress) {
  if (options.parameter_sets.empty()) return Status::InvalidInput("no parameter set to audit");
  if (options.corpus.empty()) return Status::InvalidInput("the corpus holds no image file");
  AuditResult result;
  result.seed = options.seed;
  result.working_side = options.working_side;
  result.corpus_files = options.corpus.size();
  result.db_entries = options.db_entries;
  result.schemes = DistinctSchemes(options.parameter_sets);

  Clock::time_point start = Clock::now();
  result.corpus = HashCorpus(options.corpus, options.seed, options.working_side, options.threads,
                             [&](std::uint64_t done, std::uint64_t total) {
                               if (progress) progress("hashing", done, total);
                             });
  result.hashing_seconds = SecondsSince(start);
  const CorpusAccounting accounting = AccountForFiles(options.corpus, result.corpus);
  for (const RejectedFile& rejected : accounting.rejected) {
    result.rejected.push_back({RelativeName(rejected.file, options.corpus_root), rejected.reason});
    if (options.on_rejected_file) options.on_rejected_file(result.rejected.back());
  }
  for (std::size_t file : accounting.image_files) {
    result.image_paths.push_back(options.corpus[file]);
    result.image_names.push_back(RelativeName(options.corpus[file], options.corpus_root));
  }
  if (result.corpus.images.size() < 2) {
    return Status::InvalidInput("the corpus needs at least two usable images");
  }

  start = Clock::now();
  if (progress) progress("measuring", 0, 2);
  result.transforms = MeasureTransforms(result.corpus, result.schemes, options.threads);
  if (progress) progress("measuring", 1, 2);
  result.pairs = MeasurePairs(result.corpus, result.schemes, options.threads);
  const std::vector<double> model_rates = ModelPairRates(result.corpus, result.schemes);
  if (progress) progress("measuring", 2, 2);
  result.measuring_seconds = SecondsSince(start);

  start = Clock::now();
  if (progress) progress("validating", 0, 1);
  const UnrelatedPairs unrelated(result.corpus);
  result.unrelated_pairs = unrelated.ordered_pairs();
  const std::map<std::string, SchemeEvidence> evidence =
      MeasureAllEvidence(result.corpus, unrelated, result.schemes, options.threads);
  if (progress) progress("validating", 1, 1);
  result.validation_seconds = SecondsSince(start);
  result.threshold = hashdb::DbBuildOptions{}.threshold;

  start = Clock::now();
  if (progress) progress("cost", 0, 1);
  HV_ASSIGN_OR_RETURN(std::vector<ServerCost> costs,
                      MeasureServerCosts(result.corpus, options.parameter_sets, options.scratch,
                                         options.seed, options.cost_vouchers));
  if (progress) progress("cost", 1, 1);
  result.cost_seconds = SecondsSince(start);

  result.plain_benign_recall = PooledBenignRecall(
      result.transforms, [](const TransformMeasurement& t) { return t.plain_recall; });
  const std::uint64_t pairs = result.pairs.plain.ordered_pairs;
  result.plain_pair_rate_upper =
      ClopperPearsonUpper(result.pairs.plain.matches, pairs, kConfidence);

  for (const ParameterSet& set : options.parameter_sets) {
    ParameterSetResult r;
    r.set = set;
    r.scheme = static_cast<std::size_t>(
        std::find(result.schemes.begin(), result.schemes.end(), set.matching) -
        result.schemes.begin());
    r.benign_recall = PooledBenignRecall(
        result.transforms, [&](const TransformMeasurement& t) { return t.private_recall[r.scheme]; });
    r.benign_recall_ratio =
        result.plain_benign_recall > 0 ? r.benign_recall / result.plain_benign_recall : 0;
    r.worst_benign_ratio = WorstBenignRatio(result.transforms, r.scheme);
    r.pairs = result.pairs.private_matching[r.scheme];
    r.pair_rate_upper = ClopperPearsonUpper(r.pairs.false_matches, pairs, kConfidence);
    r.per_image_rate_upper = AnyOf(r.pair_rate_upper, static_cast<double>(options.db_entries));
    r.model_pair_rate = model_rates[r.scheme];
    r.model_per_image_rate = AnyOf(r.model_pair_rate, static_cast<double>(options.db_entries));
    r.outer_entries = set.matching.keys.probes;
    for (const ServerCost& cost : costs) {
      if (cost.tables == set.matching.keys.tables && cost.probes == set.matching.keys.probes) {
        r.cost = cost;
      }
    }
    r.meets_recall = r.benign_recall_ratio >= kRequiredRecallRatio;
    r.meets_no_false_match = r.pairs.false_matches == 0;
    r.unrelated_key_matches = static_cast<std::uint64_t>(
        std::count_if(r.pairs.distinct_matches.begin(), r.pairs.distinct_matches.end(),
                      [](const KeyMatch& m) { return m.distance >= kUnrelatedPairDistance; }));
    r.meets_no_unrelated_match = r.unrelated_key_matches == 0;
    r.meets_bound = r.per_image_rate_upper <= kRequiredPerImageBound;
    r.meets_model = r.model_per_image_rate <= kRequiredPerImageBound;
    r.validation = Validate(set.matching, evidence, result.unrelated_pairs,
                            static_cast<double>(options.db_entries));
    r.account = AssessAccount(r.validation.validated_per_image_rate,
                              r.validation.riskiest_per_image_rate, result.threshold);
    r.meets_account = r.account.met && r.validation.validated;
    result.sets.push_back(r);
  }
  result.bound_supported = std::any_of(result.sets.begin(), result.sets.end(),
                                       [](const ParameterSetResult& s) { return s.meets_bound; });
  result.recommended = Recommend(result.sets);
  result.detection_set = result.recommended.value_or(0);
  result.detection = DetectionCurves(result.transforms, result.sets[result.detection_set].scheme,
                                     result.threshold);
  return result;
}

}  // namespace hashveil::audit
