// audit.html: a self-contained page (no scripts, no external resources) with the audit's tables
// and four inline SVG plots, generated from audit.json's content so the two never disagree.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace hashveil::audit {

// The ids of the plots the page always contains (the browser test checks each).
inline constexpr const char* kPlotIds[] = {"recall-per-transform", "distance-histograms",
                                           "recall-vs-false-match", "account-risk"};

std::string AuditHtml(const nlohmann::json& audit);

}  // namespace hashveil::audit
