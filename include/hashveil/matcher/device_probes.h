// The device's probe keys for one image under a key scheme's revision (docs/pdq.md, "Match keys
// and probes" and "Variant probes"). Revision 1 flips the image's own low-margin key bits
// (ProbeKeys); revision 2 spends part of each table's budget on the base keys and first flips of
// the image's photometric variants (PdqResult::variants), so a copy that went through a gamma or
// brightness edit reaches its original's key. Either way: exactly P distinct keys, the first
// being table 0's base key of the image's own hash (k0, the per-image identity).
#pragma once

#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/matcher/match_keys.h"
#include "hashveil/matcher/pdq_hasher.h"

namespace hashveil::matcher {

// How many probes of a table with budget `budget` each photometric variant gets under revision 2:
// budget / 16 (so the image's own hash keeps at least 3/4 of them). 0 below 16: the image's own.
std::uint32_t VariantQuota(std::uint32_t budget);

// Errors: kInvalidInput when the scheme is invalid, or when its revision needs the variants and
// `image` has none (hash with DecodeOptions::variants / HashOptions::variants).
Result<std::vector<MatchKey>> DeviceProbeKeys(const PdqResult& image, const KeyScheme& scheme);

}  // namespace hashveil::matcher
