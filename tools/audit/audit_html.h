// audit.html: a self-contained page (no scripts, no external resources) with the audit's tables
// and inline SVG plots, generated from audit.json's content so the two never disagree, plus
// thumbnails of the photos in distinct-photo key matches (kept out of audit.json).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace hashveil::audit {

// The ids of the plots the page always contains (the browser test checks each).
inline constexpr const char* kPlotIds[] = {"recall-per-transform",  "distance-histograms",
                                           "recall-vs-false-match", "account-risk",
                                           "model-validation",      "detection-curve"};

// Corpus file name (as in audit.json) to a "data:image/jpeg;base64,..." thumbnail.
using Thumbnails = std::map<std::string, std::string>;

// Photos without a thumbnail are shown by name only.
std::string AuditHtml(const nlohmann::json& audit, const Thumbnails& thumbnails = {});

}  // namespace hashveil::audit
