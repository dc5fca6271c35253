#include "audit/audit_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "audit/svg_plot.h"

namespace hashveil::audit {
namespace {

using nlohmann::json;

std::string Fixed(double value, int digits) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string Sci(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  return buffer;
}

// The set the plots highlight: the recommended one, else the first.
const json& FocusSet(const json& audit) {
  const json& sets = audit["parameter_sets"];
  for (const json& s : sets) {
    if (audit["recommended"].is_string() && s["name"] == audit["recommended"]) return s;
  }
  return sets.front();
}

std::string RecallPlot(const json& audit, const json& focus) {
  SvgPlot plot("recall-per-transform", "Recall per transform: plain PDQ@31 vs private matching",
               {"transform", 0, 1}, {"recall", 0, 1});
  std::vector<std::string> names;
  std::vector<double> plain, dihedral, private_recall;
  for (const json& t : audit["transforms"]) {
    names.push_back(t["name"]);
    plain.push_back(t["plain_recall"]);
    dihedral.push_back(t["plain_dihedral_recall"]);
    private_recall.push_back(t["private_recall"][focus["scheme"].get<std::string>()]);
  }
  plot.SetCategories(names);
  plot.AddBars("PDQ@31", plain);
  plot.AddBars("PDQ@31 + dihedral", dihedral);
  plot.AddBars("private " + focus["scheme"].get<std::string>(), private_recall);
  return plot.Render();
}

std::vector<std::pair<double, double>> Normalised(const json& histogram) {
  std::vector<std::pair<double, double>> points;
  const double total = std::max(1.0, histogram["total"].get<double>());
  const json& counts = histogram["counts"];
  for (std::size_t d = 0; d < counts.size(); ++d) {
    points.emplace_back(d, counts[d].get<double>() / total);
  }
  return points;
}

std::string HistogramPlot(const json& audit) {
  json same = {{"total", 0}, {"counts", json::array()}};
  std::vector<double> counts(257, 0);
  double total = 0;
  for (const json& t : audit["transforms"]) {
    if (!t["benign"].get<bool>()) continue;
    for (std::size_t d = 0; d < counts.size(); ++d) counts[d] += t["distances"]["counts"][d].get<double>();
    total += t["distances"]["total"].get<double>();
  }
  same["counts"] = counts;
  same["total"] = total;
  double peak = 0.01;
  const auto same_points = Normalised(same);
  const auto distinct_points = Normalised(audit["distinct_pairs"]["distances"]);
  for (const auto& [d, f] : same_points) peak = std::max(peak, f);
  for (const auto& [d, f] : distinct_points) peak = std::max(peak, f);
  SvgPlot plot("distance-histograms", "PDQ distance: same image (benign transforms) vs distinct",
               {"Hamming distance", 0, 256}, {"fraction", 0, peak * 1.05});
  plot.AddLine("same image", same_points);
  plot.AddLine("distinct photos", distinct_points);
  plot.AddMarker(31, "31");
  return plot.Render();
}

// ROC of plain PDQ as its distance threshold moves, with each parameter set as a point at its
// false-match bound (a 95% upper bound when none was seen).
std::string RocPlot(const json& audit) {
  const json& pairs = audit["distinct_pairs"];
  const double pair_total = std::max(1.0, pairs["distances"]["total"].get<double>());
  std::vector<double> same(257, 0);
  double same_total = 0;
  for (const json& t : audit["transforms"]) {
    if (!t["benign"].get<bool>()) continue;
    for (std::size_t d = 0; d < same.size(); ++d) same[d] += t["distances"]["counts"][d].get<double>();
    same_total += t["images"].get<double>();
  }
  const double floor = 1e-8;
  std::vector<std::pair<double, double>> roc;
  double matched = 0, false_matched = 0;
  for (std::size_t d = 0; d < same.size(); ++d) {
    matched += same[d];
    false_matched += pairs["distances"]["counts"][d].get<double>();
    roc.emplace_back(std::max(floor, false_matched / pair_total), matched / std::max(1.0, same_total));
  }
  std::vector<std::pair<double, double>> sets;
  for (const json& s : audit["parameter_sets"]) {
    sets.emplace_back(std::max(floor, s["pair_rate_upper"].get<double>()),
                      s["benign_recall"].get<double>());
  }
  SvgPlot plot("recall-vs-false-match", "Recall (benign) vs false-match rate per distinct pair",
               {"false-match rate per pair (sets: 95% upper bound)", floor, 1, true},
               {"recall", 0, 1});
  plot.AddLine("PDQ, threshold 0..256", roc);
  plot.AddPoints("parameter sets", sets);
  return plot.Render();
}

std::string AccountPlot(const json& audit) {
  const json& account = audit["account_risk"];
  const json& n_grid = account["images_per_year"];
  const std::size_t n_index = std::min<std::size_t>(2, n_grid.size() - 1);
  SvgPlot plot("account-risk",
               "P(innocent account flagged), " + std::to_string(n_grid[n_index].get<std::uint64_t>()) +
                   " images a year",
               {"threshold t", 1, account["thresholds"].back().get<double>()},
               {"probability", 1e-30, 1, true});
  for (const json& table : account["tables"]) {
    std::vector<std::pair<double, double>> independent, stressed;
    for (std::size_t t = 0; t < account["thresholds"].size(); ++t) {
      const double threshold = account["thresholds"][t];
      independent.emplace_back(threshold, std::max(1e-30, table["independent"][t][n_index].get<double>()));
      stressed.emplace_back(threshold, std::max(1e-30, table["stressed"][t][n_index].get<double>()));
    }
    const std::string label = "p=" + Sci(table["per_image_rate"]);
    plot.AddLine(label, independent);
    plot.AddLine(label + " stressed", stressed, true);
  }
  return plot.Render();
}

double Positive(double value) { return std::max(1e-30, value); }

// Observed vs predicted distinct-photo key matches per key length, both models, with the
// observations' Garwood intervals and each model's corrected extrapolation to the set's own k.
std::string ValidationPlot(const json& audit, const json& focus) {
  const json& v = focus["model_validation"];
  const double pairs = audit["distinct_pairs"]["unrelated_photo_pairs"].get<double>();
  const double own_bits = v["own_bits_per_key"].get<double>();
  std::vector<std::pair<double, double>> observed;
  std::vector<SvgPlot::Interval> intervals;
  double low = 1e300, high = 1;
  auto see = [&](double value) {
    if (value > 0) low = std::min(low, value), high = std::max(high, value);
  };
  for (const json& o : v["observations"]) {
    const double bits = o["bits_per_key"];
    observed.emplace_back(bits, Positive(o["observed"].get<double>()));
    intervals.push_back({bits, Positive(o["observed_interval"][0].get<double>()),
                         Positive(o["observed_interval"][1].get<double>())});
    see(o["observed"].get<double>());
    see(o["observed_interval"][1].get<double>());
  }
  struct Model {
    const char* key;
    const char* label;
  };
  std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> lines, corrected;
  for (const Model& m : {Model{"independent_model", "independent bits"},
                         Model{"correlated_model", "beta-binomial"}}) {
    const json& model = v[m.key];
    std::vector<std::pair<double, double>> line;
    for (const json& p : model["points"]) {
      line.emplace_back(p["bits_per_key"].get<double>(), Positive(p["expected"].get<double>()));
      see(p["expected"].get<double>());
    }
    const double at_k = model["pair_rate_at_k"].get<double>() * pairs;
    const double corrected_at_k = model["corrected_pair_rate"].get<double>() * pairs;
    line.emplace_back(own_bits, Positive(at_k));
    see(at_k);
    see(corrected_at_k);
    lines.emplace_back(std::string(m.label) + " model", line);
    corrected.emplace_back(
        std::string(m.label) + " corrected at k",
        std::vector<std::pair<double, double>>{{own_bits, Positive(corrected_at_k)}});
  }
  if (low > high) low = high / 10;
  SvgPlot plot("model-validation",
               "Distinct-photo key matches per key length: " + focus["name"].get<std::string>(),
               // Up to a multiple of 40 past k, so the five ticks fall on multiples of 8.
               {"bits per key k", 0, 40 * std::ceil((own_bits + 8) / 40)},
               {"ordered pairs", std::max(1e-30, low / 10), high * 10, true});
  plot.AddPoints("observed", observed);
  plot.AddIntervals("observed 95% (Garwood)", intervals);
  for (const auto& [name, points] : lines) plot.AddLine(name, points, true);
  for (const auto& [name, points] : corrected) plot.AddPoints(name, points);
  plot.AddMarker(own_bits, "set's k");
  return plot.Render();
}

std::string ModelRow(const char* name, const json& model) {
  std::string html = "<tr><td>" + std::string(name) + "</td>";
  for (const json& p : model["points"]) {
    html += "<td>" + Sci(p["expected"]) + " (O/E " + Sci(p["ratio"]) + ", 95% " +
            Sci(p["ratio_interval"][0]) + "-" + Sci(p["ratio_interval"][1]) + ")</td>";
  }
  const json& c = model["correction"];
  html += "<td>" + Sci(model["pair_rate_at_k"]) + "</td><td>" +
          (c["factor"].is_null() ? std::string("not validated") : Sci(c["factor"])) +
          (c["trend_used"].get<bool>() ? " (rising trend)" : " (pooled)") + "</td><td>" +
          Sci(model["corrected_pair_rate"]) + "</td>";
  const json& h = model["held_out"];
  html += h.is_null() ? std::string("<td>not possible</td>")
                      : "<td>k=" + std::to_string(h["bits_per_key"].get<int>()) + ": predicted " +
                            Sci(h["predicted"]) + " (up to " + Sci(h["predicted_upper"]) +
                            "), observed " + std::to_string(h["observed"].get<std::uint64_t>()) +
                            (h["covered"].get<bool>() ? " (covered)" : " (NOT covered)") + "</td>";
  return html + "</tr>\n";
}

std::string ValidationTable(const json& focus) {
  const json& v = focus["model_validation"];
  std::string html = "<table><tr><th>model</th>";
  for (const json& o : v["observations"]) {
    html += "<th>k=" + std::to_string(o["bits_per_key"].get<int>()) + ": observed " +
            std::to_string(o["observed"].get<std::uint64_t>()) + "</th>";
  }
  html +=
      "<th>pair rate at k=" + std::to_string(v["own_bits_per_key"].get<int>()) +
      "</th><th>correction factor</th><th>corrected pair rate</th><th>held-out check</th></tr>\n";
  html += ModelRow("independent bits", v["independent_model"]);
  html += ModelRow("beta-binomial", v["correlated_model"]);
  return html + "</table>\n";
}

// Per set: the validated rates and the account criterion.
std::string AccountTable(const json& audit) {
  std::string html =
      "<table><tr><th>set</th><th>distinct-photo key matches at k</th><th>validated per image</th>"
      "<th>riskiest decile x</th><th>riskiest per image</th>";
  for (const json& r : audit["criteria"]["account"]) {
    html += "<th>P(account) n=" + std::to_string(r["images_per_year"].get<std::uint64_t>()) +
            " (need &le; " + Sci(r["max_probability"]) + ")</th>";
  }
  html += "<th>met</th></tr>\n";
  for (const json& s : audit["parameter_sets"]) {
    const json& v = s["model_validation"];
    html += std::string("<tr") + (s["name"] == audit["recommended"] ? " class=\"chosen\"" : "") +
            "><td>" + EscapeXml(s["name"]) + "</td><td>" +
            std::to_string(s["distinct_photo_key_matches"]["total"].get<std::uint64_t>()) +
            "</td><td>" + Sci(v["validated_per_image_rate"]) +
            (v["model_validated"].get<bool>() ? "" : " (held-out check failed)") + "</td><td>" +
            Fixed(v["riskiest_decile_multiplier"], 2) + "</td><td>" +
            Sci(v["riskiest_decile_per_image_rate"]) + "</td>";
    for (const json& r : s["account"]["rows"]) html += "<td>" + Sci(r["riskiest_decile"]) + "</td>";
    html += std::string("<td>") + (s["account"]["met"].get<bool>() ? "yes" : "no") + "</td></tr>\n";
  }
  return html + "</table>\n";
}

std::string Photo(const std::string& name, const Thumbnails& thumbnails) {
  const auto found = thumbnails.find(name);
  std::string html = found == thumbnails.end()
                         ? std::string()
                         : "<img alt=\"\" src=\"" + EscapeXml(found->second) + "\"><br>";
  return html + EscapeXml(name);
}

std::string DistinctMatchTables(const json& audit, const Thumbnails& thumbnails) {
  std::string html;
  for (const json& s : audit["parameter_sets"]) {
    const json& matches = s["distinct_photo_key_matches"];
    if (matches["total"].get<std::uint64_t>() == 0) continue;
    html += "<h3>" + EscapeXml(s["name"]) + ": " +
            std::to_string(matches["total"].get<std::uint64_t>()) + " ordered pairs" +
            (matches["listed"].size() < matches["total"].get<std::size_t>()
                 ? " (the first " + std::to_string(matches["listed"].size()) + " listed)"
                 : std::string()) +
            "</h3>\n<table class=\"pairs\"><tr><th>device's photo</th><th>listed photo</th>"
            "<th>PDQ distance</th><th>matching probe</th></tr>\n";
    for (const json& m : matches["listed"]) {
      html += "<tr><td>" + Photo(m["device_file"], thumbnails) + "</td><td>" +
              Photo(m["listed_file"], thumbnails) + "</td><td>" +
              std::to_string(m["pdq_distance"].get<int>()) + "</td><td>" +
              std::to_string(m["probe_rank"].get<int>()) + "</td></tr>\n";
    }
    html += "</table>\n";
  }
  return html.empty() ? "<p>No parameter set key-matches two distinct photos.</p>\n" : html;
}

std::string DetectionPlot(const json& audit) {
  const json& detection = audit["detection"];
  const double t = detection["threshold"].get<double>();
  SvgPlot plot("detection-curve",
               "P(account with n known images reported), " + detection["set"].get<std::string>() +
                   ", t = " + std::to_string(detection["threshold"].get<int>()),
               {"distinct known images sent, n", t, 10 * t}, {"probability", 0, 1});
  for (const json& curve : detection["curves"]) {
    std::vector<std::pair<double, double>> points;
    for (const json& p : curve["points"])
      points.emplace_back(p[0].get<double>(), p[1].get<double>());
    plot.AddLine(
        curve["mix"].get<std::string>() + " (r=" + Fixed(curve["per_image_recall"], 3) + ")",
        points);
  }
  return plot.Render();
}

std::string TransformTable(const json& audit, const json& focus) {
  std::string html =
      "<table><tr><th>transform</th><th>benign</th><th>median distance</th><th>PDQ@31</th>"
      "<th>PDQ@31 + dihedral</th><th>private (" + EscapeXml(focus["scheme"]) + ")</th><th>what it does</th></tr>\n";
  for (const json& t : audit["transforms"]) {
    html += "<tr><td>" + EscapeXml(t["name"]) + "</td><td>" + (t["benign"].get<bool>() ? "yes" : "no") +
            "</td><td>" + std::to_string(t["distances"]["median"].get<int>()) + "</td><td>" +
            Fixed(t["plain_recall"], 3) + "</td><td>" + Fixed(t["plain_dihedral_recall"], 3) +
            "</td><td>" + Fixed(t["private_recall"][focus["scheme"].get<std::string>()], 3) +
            "</td><td>" + EscapeXml(t["description"]) + "</td></tr>\n";
  }
  return html + "</table>\n";
}

// The criteria a set meets, e.g. "recall, model".
std::string Met(const json& meets) {
  std::string met;
  for (const auto& [criterion, value] : meets.items()) {
    if (value.get<bool>()) met += (met.empty() ? "" : ", ") + criterion;
  }
  return met;
}

std::string SetTable(const json& audit) {
  std::string html =
      "<table><tr><th>set</th><th>benign recall</th><th>ratio to PDQ@31</th><th>worst benign "
      "ratio</th><th>key matches</th><th>false matches</th><th>bound per pair</th><th>bound per "
      "image vs N</th><th>model per image</th><th>outer entries</th><th>voucher bytes</th><th>DB bytes/entry</th>"
      "<th>meets</th></tr>\n";
  for (const json& s : audit["parameter_sets"]) {
    const json& meets = s["meets"];
    html += std::string("<tr") + (s["name"] == audit["recommended"] ? " class=\"chosen\"" : "") +
            "><td>" + EscapeXml(s["name"]) + "</td><td>" + Fixed(s["benign_recall"], 4) +
            "</td><td>" + Fixed(s["benign_recall_ratio"], 4) + "</td><td>" +
            Fixed(s["worst_benign_ratio"], 3) + "</td><td>" +
            std::to_string(s["key_matches"].get<std::uint64_t>()) + "</td><td>" +
            std::to_string(s["false_matches"].get<std::uint64_t>()) + "</td><td>" +
            Sci(s["pair_rate_upper"]) + "</td><td>" + Sci(s["per_image_rate_upper"]) +
            "</td><td>" + Sci(s["model_per_image_rate"]) + "</td><td>" +
            std::to_string(s["cost"]["outer_entries"].get<std::uint64_t>()) +
            "</td><td>" + std::to_string(s["cost"]["voucher_bytes"].get<std::uint64_t>()) + "</td><td>" +
            Fixed(s["cost"]["db_bytes_per_entry"], 1) + "</td><td>" +
            Met(meets) + "</td></tr>\n";
  }
  return html + "</table>\n";
}

}  // namespace

std::string AuditHtml(const json& audit, const Thumbnails& thumbnails) {
  const json& focus = FocusSet(audit);
  const json& corpus = audit["corpus"];
  const json& pairs = audit["distinct_pairs"];
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>hashveil threshold audit</title><style>"
      "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
      "table{border-collapse:collapse;font-size:12px;margin:1em 0}"
      "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
      "td:first-child,td:last-child{text-align:left}tr.chosen{background:#e6f4e6}"
      "table.pairs td{text-align:center;vertical-align:top}"
      "</style></head><body>\n<h1>hashveil threshold audit</h1>\n";
  const int working_side = audit["working_side"].get<int>();
  html += "<p>Seed " + std::to_string(audit["seed"].get<std::uint64_t>()) +
          "; transformed copies start from the image " +
          (working_side > 0 ? "scaled down to at most " + std::to_string(working_side) + " px"
                            : std::string("at its original size")) +
          "; corpus: " +
          std::to_string(corpus["files"].get<std::uint64_t>()) + " files, " +
          std::to_string(corpus["usable"].get<std::uint64_t>()) + " usable (" +
          std::to_string(corpus["low_quality"].get<std::uint64_t>()) + " under quality 50, " +
          std::to_string(corpus["unreadable"].get<std::uint64_t>()) + " unreadable).</p>\n";
  if (!corpus["rejected"].empty()) {
    html += "<p>Files not used:</p>\n<ul>";
    for (const json& r : corpus["rejected"]) {
      html += "<li>" + EscapeXml(r["file"]) + ": " + EscapeXml(r["reason"]) + "</li>";
    }
    html += "</ul>\n";
  }
  html += "<p>Recommended parameter set: <b>" +
          (audit["recommended"].is_string() ? EscapeXml(audit["recommended"])
                                            : std::string("none meets the criteria")) +
          "</b>. Rule: " + EscapeXml(audit["criteria"]["recommendation_rule"]) +
          ". The account criterion, at t = " +
          std::to_string(audit["criteria"]["account_threshold"].get<std::uint64_t>()) +
          " and a DB of " + std::to_string(audit["criteria"]["db_entries"].get<std::uint64_t>()) +
          " entries: an innocent account crosses t in a year with probability at most " +
          Sci(audit["criteria"]["account"][0]["max_probability"]) + " at " +
          std::to_string(audit["criteria"]["account"][0]["images_per_year"].get<std::uint64_t>()) +
          " images and " + Sci(audit["criteria"]["account"][1]["max_probability"]) + " at " +
          std::to_string(audit["criteria"]["account"][1]["images_per_year"].get<std::uint64_t>()) +
          ", judged on the " + EscapeXml(audit["criteria"]["account_judged_on"]) +
          ", from the validated per-image rate (below).</p>\n";
  html += "<p>Distinct pairs: " + std::to_string(pairs["ordered_pairs"].get<std::uint64_t>()) +
          " ordered; plain PDQ@31 matches " +
          std::to_string(pairs["plain_matches"].get<std::uint64_t>()) +
          ". With zero events the 95% bound per pair is about 3/pairs = " +
          Sci(pairs["plain_pair_rate_upper"]) + "; a per-image bound of " +
          Sci(audit["criteria"]["per_image_bound"]) + " against the DB would need " +
          Sci(pairs["pairs_needed_for_bound"]) + " pairs (" +
          Sci(pairs["images_needed_for_bound"]) + " images). " +
          (audit["bound_supported"].get<bool>() ? "This corpus supports it."
                                                : "This corpus cannot support that bound; the "
                                                  "validated model below stands in for it.") +
          "</p>\n";
  html += "<h2>Recall per transform</h2>\n" + RecallPlot(audit, focus) + TransformTable(audit, focus);
  html += "<h2>Distance distributions</h2>\n" + HistogramPlot(audit);
  html += "<h2>Recall against false matches</h2>\n" + RocPlot(audit) + SetTable(audit);
  html += "<h2>Model validation</h2>\n<p>Key matches among the " +
          std::to_string(pairs["unrelated_photo_pairs"].get<std::uint64_t>()) +
          " ordered pairs of unrelated photos (PDQ distance &gt;= 64; pairs at 32-63 are versions "
          "of one picture or scene, listed below with every key match), observed at short keys and "
          "predicted by two models: independent bits (per-bit frequencies) and beta-binomial (the "
          "fitted distribution of the distance between two photos' key bits; a probe flipping j "
          "bits matches with P(D = j) / C(k, j)). Each model's rate at the set's own k is "
          "multiplied by its correction factor: the 95% upper bound of its pooled O/E, or, when "
          "O/E rises with k, the larger of that and the trend's 95% upper bound extrapolated to k. "
          "The validated rate is the larger corrected model, times N entries.</p>\n" +
          ValidationPlot(audit, focus) + ValidationTable(focus);
  html +=
      "<h2>Account level</h2>\n<p>Protocol v2 counts distinct DB keys, so copies of one "
      "image count once. Independent: Binomial(n, p) reaching t, at the pooled validated "
      "rate and at the riskiest decile's (its photos' share of the short-key matches over "
      "their share of the photos, at most 10): the criterion is judged on the latter. "
      "Stressed: false matches arrive in bursts of " +
      std::to_string(audit["account_risk"]["stress_burst"].get<std::uint64_t>()) +
      " edited copies that each reach a different DB key, so all count.</p>\n" +
      AccountTable(audit) + AccountPlot(audit);
  html += "<h2>Detection</h2>\n<p>" + EscapeXml(audit["detection"]["model"]) + ".</p>\n" +
          DetectionPlot(audit);
  html += "<h2>Distinct photos that key-match</h2>\n" + DistinctMatchTables(audit, thumbnails);
  html += "</body></html>\n";
  return html;
}

}  // namespace hashveil::audit
