#include "epoch_groups.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace hashveil::tools::serve {

std::vector<psi::EpochGroup> GroupEpochsByGeneration(const std::vector<psi::ServedDb>& dbs) {
  using Generation = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>;
  std::map<Generation, psi::EpochGroup> known;
  std::vector<psi::EpochGroup> groups;
  for (const psi::ServedDb& db : dbs) {
    const psi::ServedDbParams& params = db.params;
    psi::EpochGroup alone{.threshold = params.threshold, .shapes = {}};
    psi::EpochGroup* group = &alone;
    if (params.synthetic_rate_ppm && params.key_bits) {
      group = &known[{params.threshold, params.shape.synthetic_max, *params.synthetic_rate_ppm,
                      *params.key_bits}];
      group->threshold = params.threshold;
    }
    group->shapes.emplace(params.shape.epoch, params.shape);
    if (group == &alone) groups.push_back(std::move(alone));
  }
  for (auto& [generation, group] : known) groups.push_back(std::move(group));
  std::sort(groups.begin(), groups.end(), [](const psi::EpochGroup& a, const psi::EpochGroup& b) {
    return a.shapes.rbegin()->first > b.shapes.rbegin()->first;
  });
  return groups;
}

}  // namespace hashveil::tools::serve
