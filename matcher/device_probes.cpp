#include "hashveil/matcher/device_probes.h"

#include <algorithm>

namespace hashveil::matcher {
namespace {

// Appends the keys of `candidates` not yet in `keys`, at most `limit` keys in all.
void AppendNew(const std::vector<MatchKey>& candidates, std::size_t limit,
               std::vector<MatchKey>& keys) {
  for (const MatchKey& key : candidates) {
    if (keys.size() >= limit) return;
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
}

// One table's probes under revision 2: the own hash's first `budget - V * quota` keys, then each
// variant's first `quota` keys that are new, then more of the own hash's until `budget` keys are
// distinct (a variant's key often equals one of the own hash's; the own hash's subsets are many).
std::vector<MatchKey> TableProbesWithVariants(const PdqResult& image, const KeyScheme& scheme,
                                              std::uint32_t table, std::uint32_t budget) {
  const std::uint32_t quota = VariantQuota(budget);
  const std::uint32_t own = budget - kPhotometricVariantCount * quota;
  std::vector<MatchKey> keys = TableProbes(image.hash, image.margins, scheme, table, own);
  keys.reserve(budget);
  for (const VariantHash& variant : *image.variants) {
    AppendNew(TableProbes(variant.hash, variant.margins, scheme, table, quota), keys.size() + quota,
              keys);
  }
  // Distinct keys among the first `budget + V * quota` flips of the own hash cover any overlap.
  AppendNew(TableProbes(image.hash, image.margins, scheme, table,
                        budget + kPhotometricVariantCount * quota),
            budget, keys);
  return keys;
}

}  // namespace

std::uint32_t VariantQuota(std::uint32_t budget) { return budget / 16; }

Result<std::vector<MatchKey>> DeviceProbeKeys(const PdqResult& image, const KeyScheme& scheme) {
  HV_RETURN_IF_ERROR(scheme.Validate());
  if (scheme.revision == 1) return ProbeKeys(image.hash, image.margins, scheme);
  if (!image.variants) {
    return Status::InvalidInput("key scheme revision 2 needs the image's variant hashes");
  }
  std::vector<MatchKey> keys;
  keys.reserve(scheme.probes);
  for (std::uint32_t table = 0; table < scheme.tables; ++table) {
    const std::vector<MatchKey> probes =
        TableProbesWithVariants(image, scheme, table, ProbeBudget(scheme, table));
    keys.insert(keys.end(), probes.begin(), probes.end());
  }
  return keys;
}

}  // namespace hashveil::matcher
