#include "audit/audit_json.h"

#include <cmath>

#include "audit/account_risk.h"
#include "audit/statistics.h"
#include "audit/transforms.h"

namespace hashveil::audit {
namespace {

using nlohmann::json;

constexpr const char* kRecommendationRule =
    "among the sets with no key match among unrelated photos (PDQ distance >= 64; matches "
    "between versions of one picture at 32..63 are listed for review) at their own k and the "
    "account "
    "criterion met by a validated model (its held-out check passed), the highest pooled benign "
    "recall ratio; ties to fewer probes P";

json AccountRequirementsJson() {
  json out = json::array();
  for (const AccountRequirement& r : kAccountRequirements) {
    out.push_back({{"images_per_year", r.images_per_year}, {"max_probability", r.max_probability}});
  }
  return out;
}

json Histogram(const DistanceHistogram& h) {
  json counts = json::array();
  for (std::uint64_t c : h.counts) counts.push_back(c);
  return {{"total", h.total()}, {"median", h.Median()}, {"counts", counts}};
}

json Rejected(const std::vector<RejectedFile>& rejected) {
  json out = json::array();
  for (const RejectedFile& r : rejected) {
    out.push_back({{"file", r.file.generic_string()}, {"reason", r.reason}});
  }
  return out;
}

json SchemeJson(const MatchingScheme& s) {
  return {{"name", Name(s)},
          {"tables", s.keys.tables},
          {"bits_per_key", s.keys.bits_per_key},
          {"probes", s.keys.probes},
          {"dihedral_probes", s.dihedral_probes},
          {"revision", s.keys.revision}};
}

// P(flag) for every (t, n) of the grid at one per-image rate.
json AccountTable(double rate) {
  json independent = json::array(), stressed = json::array();
  for (std::uint64_t t : ThresholdGrid()) {
    json row_i = json::array(), row_s = json::array();
    for (std::uint64_t n : ImagesPerYearGrid()) {
      row_i.push_back(IndependentFlagProbability(n, rate, t));
      row_s.push_back(StressedFlagProbability(n, rate, t));
    }
    independent.push_back(row_i);
    stressed.push_back(row_s);
  }
  return {{"per_image_rate", rate}, {"independent", independent}, {"stressed", stressed}};
}

json Interval(const PoissonInterval& interval, double scale) {
  return {interval.lower * scale, interval.upper * scale};
}

json CorrectionJson(const Correction& c) {
  return {{"factor", std::isfinite(c.factor) ? json(c.factor) : json(nullptr)},
          {"pooled_ratio", c.pooled_ratio},
          {"pooled_ratio_upper", c.pooled_upper},
          {"trend_fitted", c.trend_fitted},
          {"trend_slope_per_bit", c.trend_slope},
          {"trend_upper_at_k", c.trend_upper},
          {"trend_used", c.trend_used}};
}

json ModelJson(const ModelEstimate& m) {
  json points = json::array();
  for (const ObservedExpected& p : m.points) {
    const PoissonInterval observed = GarwoodInterval(p.observed, kConfidence);
    const double scale = p.expected > 0 ? 1 / p.expected : 0;
    points.push_back({{"bits_per_key", p.bits},
                      {"expected", p.expected},
                      {"ratio", p.observed * scale},
                      {"ratio_interval", Interval(observed, scale)}});
  }
  const HeldOutCheck& h = m.held_out;
  json held_out = nullptr;
  if (h.possible) {
    held_out = {{"bits_per_key", h.bits},
                {"observed", h.observed},
                {"observed_interval", Interval(h.observed_interval, 1)},
                {"predicted", h.predicted},
                {"predicted_upper", h.predicted_upper},
                {"covered", h.covered()}};
  }
  return {{"points", points},
          {"correction", CorrectionJson(m.correction)},
          {"held_out", held_out},
          {"pair_rate_at_k", m.pair_rate},
          {"corrected_pair_rate", m.corrected_pair_rate}};
}

json FitsJson(const std::vector<BetaBinomial>& fits) {
  json out = json::array();
  for (const BetaBinomial& f : fits) {
    out.push_back({{"alpha", f.alpha}, {"beta", f.beta}, {"p_distance_0", f.Pmf(0)}});
  }
  return out;
}

json ValidationJson(const ModelValidation& v, std::uint64_t bits_per_key) {
  json observed = json::array();
  for (std::size_t i = 0; i < v.bits.size(); ++i) {
    observed.push_back(
        {{"bits_per_key", v.bits[i]},
         {"observed", v.observed[i]},
         {"observed_interval", Interval(GarwoodInterval(v.observed[i], kConfidence), 1)},
         {"beta_binomial_fits", FitsJson(v.fits[i])}});
  }
  return {{"observations", observed},
          {"own_bits_per_key", bits_per_key},
          {"own_beta_binomial_fits", FitsJson(v.own_fits)},
          {"independent_model", ModelJson(v.independent)},
          {"correlated_model", ModelJson(v.correlated)},
          {"model_validated", v.validated},
          {"validated_pair_rate", v.validated_pair_rate},
          {"validated_per_image_rate", v.validated_per_image_rate},
          {"riskiest_decile_multiplier", v.riskiest_decile_multiplier},
          {"riskiest_decile_per_image_rate", v.riskiest_per_image_rate}};
}

json AccountJson(const AccountAssessment& a) {
  json rows = json::array();
  for (const AccountRiskRow& r : a.rows) {
    rows.push_back({{"images_per_year", r.images_per_year},
                    {"required", r.required},
                    {"pooled", r.pooled},
                    {"riskiest_decile", r.riskiest},
                    {"riskiest_decile_stressed", r.riskiest_stressed}});
  }
  return {{"threshold", a.threshold}, {"rows", rows}, {"met", a.met}};
}

json DistinctMatchesJson(const AuditResult& result, const ParameterSetResult& s) {
  const std::vector<KeyMatch>& matches = s.pairs.distinct_matches;
  json listed = json::array();
  for (std::size_t i = 0; i < std::min(matches.size(), kListedDistinctMatches); ++i) {
    const KeyMatch& m = matches[i];
    listed.push_back({{"device_file", result.image_names[m.device]},
                      {"listed_file", result.image_names[m.listed]},
                      {"pdq_distance", m.distance},
                      {"probe_rank", m.probe_rank}});
  }
  return {{"total", matches.size()}, {"unrelated", s.unrelated_key_matches}, {"listed", listed}};
}

json SetJson(const AuditResult& result, const ParameterSetResult& s) {
  return {{"name", Name(s.set)},
          {"scheme", Name(result.schemes[s.scheme])},
          {"benign_recall", s.benign_recall},
          {"benign_recall_ratio", s.benign_recall_ratio},
          {"worst_benign_ratio", s.worst_benign_ratio},
          {"key_matches", s.pairs.key_matches},
          {"false_matches", s.pairs.false_matches},
          {"pair_rate_upper", s.pair_rate_upper},
          {"per_image_rate_upper", s.per_image_rate_upper},
          {"model_pair_rate", s.model_pair_rate},
          {"model_per_image_rate", s.model_per_image_rate},
          {"cost",
           {{"probes", s.set.matching.keys.probes},
            {"outer_entries", s.outer_entries},
            {"server_scalar_mults_per_voucher", s.outer_entries},
            {"voucher_bytes", s.cost.voucher_bytes},
            {"db_load", s.cost.load},
            {"db_bytes_per_entry", s.cost.bytes_per_entry()},
            {"db_dropped_keys", s.cost.dropped_keys},
            {"db_placed_keys", s.cost.placed_keys}}},
          {"meets",
           {{"recall", s.meets_recall},
            {"no_false_match", s.meets_no_false_match},
            {"no_unrelated_key_match", s.meets_no_unrelated_match},
            {"per_image_bound", s.meets_bound},
            {"model", s.meets_model},
            {"account", s.meets_account}}},
          {"distinct_photo_key_matches", DistinctMatchesJson(result, s)},
          {"model_validation", ValidationJson(s.validation, s.set.matching.keys.bits_per_key)},
          {"account", AccountJson(s.account)}};
}

json DetectionJson(const AuditResult& result) {
  json curves = json::array();
  for (const DetectionCurve& c : result.detection) {
    json points = json::array();
    for (const DetectionPoint& p : c.points) points.push_back({p.images, p.probability});
    curves.push_back(
        {{"mix", c.mix}, {"per_image_recall", c.per_image_recall}, {"points", points}});
  }
  return {{"set", Name(result.sets[result.detection_set].set)},
          {"threshold", result.threshold},
          {"model",
           "each of n distinct known images sent once, as a copy whose transform is drawn from the "
           "mix; it matches with the mix's recall, independently; reported iff at least t match"},
          {"points_are", "[n, P(reported)]"},
          {"curves", curves}};
}

}  // namespace

json AuditJson(const AuditResult& result) {
  json out;
  out["format"] = "hashveil-threshold-audit/1";
  out["seed"] = result.seed;
  out["working_side"] = result.working_side;
  out["corpus"] = {{"files", result.corpus_files},
                   {"usable", result.corpus.images.size()},
                   {"unreadable", result.corpus.unreadable},
                   {"low_quality", result.corpus.low_quality},
                   {"transform_failures", result.corpus.transform_failures},
                   {"rejected", Rejected(result.rejected)}};
  out["criteria"] = {{"recall_ratio", kRequiredRecallRatio},
                     {"per_image_bound", kRequiredPerImageBound},
                     {"db_entries", result.db_entries},
                     {"confidence", kConfidence},
                     {"account_threshold", result.threshold},
                     {"account", AccountRequirementsJson()},
                     {"account_judged_on", "riskiest decile, independent model"},
                     {"recommendation_rule", kRecommendationRule}};

  json schemes = json::array();
  for (const MatchingScheme& s : result.schemes) schemes.push_back(SchemeJson(s));
  out["schemes"] = schemes;

  json transforms = json::array();
  for (std::size_t t = 0; t < result.transforms.size(); ++t) {
    const TransformMeasurement& m = result.transforms[t];
    const TransformInfo& info = TransformSuite()[t];
    json private_recall = json::object();
    for (std::size_t s = 0; s < result.schemes.size(); ++s) {
      private_recall[Name(result.schemes[s])] = m.private_recall[s];
    }
    transforms.push_back({{"name", info.name},
                          {"description", info.description},
                          {"benign", info.benign},
                          {"images", m.images},
                          {"failed", m.failed},
                          {"plain_recall", m.plain_recall},
                          {"plain_dihedral_recall", m.plain_dihedral_recall},
                          {"private_recall", private_recall},
                          {"distances", Histogram(m.distances)}});
  }
  out["transforms"] = transforms;
  out["plain_benign_recall"] = result.plain_benign_recall;

  const PlainPairMeasurement& plain = result.pairs.plain;
  const double pairs_needed = PairsNeededForBound(kRequiredPerImageBound, result.db_entries);
  out["distinct_pairs"] = {
      {"ordered_pairs", plain.ordered_pairs},
      {"plain_matches", plain.matches},
      {"plain_dihedral_matches", plain.dihedral_matches},
      {"plain_pair_rate_upper", result.plain_pair_rate_upper},
      {"plain_per_image_rate_upper",
       AnyOf(result.plain_pair_rate_upper, static_cast<double>(result.db_entries))},
      {"unrelated_photo_pairs", result.unrelated_pairs},
      {"unrelated_pair_distance", kUnrelatedPairDistance},
      {"distances", Histogram(plain.distances)},
      {"pairs_needed_for_bound", pairs_needed},
      {"images_needed_for_bound", std::ceil(0.5 + std::sqrt(0.25 + pairs_needed))}};

  json sets = json::array();
  for (const ParameterSetResult& s : result.sets) sets.push_back(SetJson(result, s));
  out["parameter_sets"] = sets;
  out["bound_supported"] = result.bound_supported;
  out["recommended"] =
      result.recommended ? json(Name(result.sets[*result.recommended].set)) : json(nullptr);

  json account = {{"thresholds", ThresholdGrid()},
                  {"images_per_year", ImagesPerYearGrid()},
                  {"stress_burst", kStressBurst}};
  json tables = json::array();
  if (result.recommended) {
    json measured = AccountTable(result.sets[*result.recommended].per_image_rate_upper);
    measured["source"] = "measured bound of the recommended set";
    tables.push_back(measured);
  }
  const ModelValidation& focus = result.sets[result.detection_set].validation;
  json validated = AccountTable(focus.validated_per_image_rate);
  validated["source"] = "validated model rate of " + Name(result.sets[result.detection_set].set);
  tables.push_back(validated);
  json riskiest = AccountTable(focus.riskiest_per_image_rate);
  riskiest["source"] =
      "riskiest decile's validated rate of " + Name(result.sets[result.detection_set].set);
  tables.push_back(riskiest);
  for (double rate : AssumedRateGrid()) {
    json assumed = AccountTable(rate);
    assumed["source"] = "assumed";
    tables.push_back(assumed);
  }
  account["tables"] = tables;
  out["account_risk"] = account;
  out["detection"] = DetectionJson(result);

  // Per (L, P): the mean wall-clock milliseconds to build a voucher on the device and to
  // open its outer layer on the server, measured on this machine.
  json vouchers = json::object();
  for (const ParameterSetResult& s : result.sets) {
    const std::string shape =
        "L" + std::to_string(s.cost.tables) + "-P" + std::to_string(s.cost.probes);
    vouchers[shape] = {{"vouchers", s.cost.vouchers},
                       {"client_build_ms", s.cost.client_build_ms},
                       {"server_open_ms", s.cost.server_open_ms}};
  }
  out["timings"] = {
      {"note", "wall clock on the auditing machine; the only part that varies between runs"},
      {"hashing_seconds", result.hashing_seconds},
      {"measuring_seconds", result.measuring_seconds},
      {"validation_seconds", result.validation_seconds},
      {"cost_seconds", result.cost_seconds},
      {"voucher_ms", vouchers}};
  return out;
}

}  // namespace hashveil::audit
