// audit.json: every figure of the threshold audit, deterministic for a seed except the
// "timings" object (wall-clock seconds), which is kept apart for that reason.
#pragma once

#include <nlohmann/json.hpp>

#include "audit/threshold_audit.h"

namespace hashveil::audit {

nlohmann::json AuditJson(const AuditResult& result);

}  // namespace hashveil::audit
