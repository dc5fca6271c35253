#include "audit/audit_json.h"

#include <cmath>

#include "audit/account_risk.h"
#include "audit/statistics.h"
#include "audit/transforms.h"

namespace hashveil::audit {
namespace {

using nlohmann::json;

json Histogram(const DistanceHistogram& h) {
  json counts = json::array();
  for (std::uint64_t c : h.counts) counts.push_back(c);
  return {{"total", h.total()}, {"median", h.Median()}, {"counts", counts}};
}

json SchemeJson(const MatchingScheme& s) {
  return {{"name", Name(s)},
          {"tables", s.keys.tables},
          {"bits_per_key", s.keys.bits_per_key},
          {"probes", s.keys.probes},
          {"dihedral_probes", s.dihedral_probes}};
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
            {"per_image_bound", s.meets_bound},
            {"model", s.meets_model}}}};
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
                   {"transform_failures", result.corpus.transform_failures}};
  out["criteria"] = {{"recall_ratio", kRequiredRecallRatio},
                     {"per_image_bound", kRequiredPerImageBound},
                     {"db_entries", result.db_entries},
                     {"confidence", kConfidence}};

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
  for (double rate : AssumedRateGrid()) {
    json assumed = AccountTable(rate);
    assumed["source"] = "assumed";
    tables.push_back(assumed);
  }
  account["tables"] = tables;
  out["account_risk"] = account;

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
  out["timings"] = {{"note", "wall clock on the auditing machine; the only part that varies between runs"},
                    {"hashing_seconds", result.hashing_seconds},
                    {"measuring_seconds", result.measuring_seconds},
                    {"cost_seconds", result.cost_seconds},
                    {"voucher_ms", vouchers}};
  return out;
}

}  // namespace hashveil::audit
