// Pixels to the float luminance plane PDQ hashes (docs/design.md section 3).
#pragma once

#include <vector>

#include "hashing_scratch.h"
#include "hashveil/matcher/image_view.h"

namespace hashveil::matcher {

// A rows x cols float plane, row-major.
struct LumaPlane {
  int rows = 0;
  int cols = 0;
  std::vector<float> values;
};

// Luma 0.299R + 0.587G + 0.114B in float, summed in that order as the reference does (grey
// pixels are taken as is). Alpha is flattened over white first: c' = (c*a + 255*(255-a)) / 255,
// exact for opaque pixels. When out_rows x out_cols differs from the view's size, pixels are
// sampled nearest-neighbour at floor(x * width / out_cols), as the reference CLI's CImg squash.
// Precondition: a valid view (checked by the caller), out sizes > 0. With `scratch`, the plane's
// storage and the index tables come from it (give the plane back with scratch->luma).
LumaPlane ToLuma(const ImageView& image, int out_rows, int out_cols, HashingScratch* scratch = nullptr);

}  // namespace hashveil::matcher
