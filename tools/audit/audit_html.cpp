#include "audit/audit_html.h"

#include <algorithm>
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

std::string AuditHtml(const json& audit) {
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
  html += "<p>Recommended parameter set: <b>" +
          (audit["recommended"].is_string() ? EscapeXml(audit["recommended"]) : std::string("none meets the criteria")) +
          "</b>. Criteria: private recall at least " + Fixed(audit["criteria"]["recall_ratio"], 2) +
          " of plain PDQ@31's on the benign transforms (pooled), no false match among distinct "
          "photos, and a per-image bound of " + Sci(audit["criteria"]["per_image_bound"]) +
          " against " + std::to_string(audit["criteria"]["db_entries"].get<std::uint64_t>()) +
          " entries; cheapest first (outer entries P, then DB bytes).</p>\n";
  html += "<p>Distinct pairs: " + std::to_string(pairs["ordered_pairs"].get<std::uint64_t>()) +
          " ordered; plain PDQ@31 matches " + std::to_string(pairs["plain_matches"].get<std::uint64_t>()) +
          ". With zero events the 95% bound per pair is about 3/pairs = " +
          Sci(pairs["plain_pair_rate_upper"]) + "; a per-image bound of " +
          Sci(audit["criteria"]["per_image_bound"]) + " against the DB would need " +
          Sci(pairs["pairs_needed_for_bound"]) + " pairs (" +
          Sci(pairs["images_needed_for_bound"]) + " images). " +
          (audit["bound_supported"].get<bool>() ? "This corpus supports it."
                                                : "This corpus cannot support that bound; the "
                                                  "independent-bits key model (an optimistic "
                                                  "estimate, not a bound) stands in for it.") +
          "</p>\n";
  html += "<h2>Recall per transform</h2>\n" + RecallPlot(audit, focus) + TransformTable(audit, focus);
  html += "<h2>Distance distributions</h2>\n" + HistogramPlot(audit);
  html += "<h2>Recall against false matches</h2>\n" + RocPlot(audit) + SetTable(audit);
  html += "<h2>Account level</h2>\n<p>Independent: Binomial(n, p) reaching t. Stressed: "
          "false matches arrive in bursts of " +
          std::to_string(audit["account_risk"]["stress_burst"].get<std::uint64_t>()) +
          " near-duplicates with distinct base keys that all count (copies sharing a base key "
          "count once, as the protocol does).</p>\n" + AccountPlot(audit);
  html += "</body></html>\n";
  return html;
}

}  // namespace hashveil::audit
