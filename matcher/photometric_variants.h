// The photometric variants of a 64x64 downsample (key scheme revision 2, docs/pdq.md "Variant
// probes"): gamma curves applied where they cost least (4,096 values, not the image), whose
// hashes let the device reach the original of a copy that went through the inverse edit. The DB
// holds plain PDQ of the originals, so only the device side can do this.
#pragma once

#include "hashveil/matcher/pdq_hasher.h"
#include "jarosz.h"

namespace hashveil::matcher {

// The gamma of each variant: v -> 255 (v / 255)^gamma.
double VariantGamma(PhotometricVariant variant);

// `grid` (luma 0..255; values outside are clamped first) through the variant's gamma curve.
Grid64 ApplyPhotometricVariant(const Grid64& grid, PhotometricVariant variant);

}  // namespace hashveil::matcher
