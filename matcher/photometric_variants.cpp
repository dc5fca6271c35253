#include "photometric_variants.h"

#include <algorithm>
#include <cmath>

namespace hashveil::matcher {

// Two steps each way across the audit's gamma edits (0.6..0.8 and their reciprocals,
// docs/audit.md); docs/parameters.md has what each step adds to recall.
double VariantGamma(PhotometricVariant variant) {
  switch (variant) {
    case PhotometricVariant::kGamma0_6: return 0.6;
    case PhotometricVariant::kGamma0_75: return 0.75;
    case PhotometricVariant::kGamma1_33: return 1 / 0.75;
    case PhotometricVariant::kGamma1_67: return 1 / 0.6;
  }
  return 1;
}

Grid64 ApplyPhotometricVariant(const Grid64& grid, PhotometricVariant variant) {
  const double gamma = VariantGamma(variant);
  Grid64 out;
  for (std::size_t n = 0; n < grid.size(); ++n) {
    const double v = std::clamp(static_cast<double>(grid[n]) / 255.0, 0.0, 1.0);
    out[n] = static_cast<float>(255.0 * std::pow(v, gamma));
  }
  return out;
}

}  // namespace hashveil::matcher
