// PDQ from the 64x64 downsample on: quality, the 16x16 low-frequency DCT, median threshold,
// margins and the dihedral variants (docs/design.md section 3).
#pragma once

#include <array>

#include "hashveil/matcher/pdq_hasher.h"
#include "jarosz.h"

namespace hashveil::matcher {

using Dct16 = std::array<float, 16 * 16>;  // B[i][j] at 16i+j: coefficient (i+1, j+1)

// Sum over vertically and horizontally adjacent pairs of |int((u-v)*100/255)|, / 90, capped at 100.
int PdqQuality(const Grid64& grid);

// B = D A D^T with D[i][j] = sqrt(2/64) cos(pi/128 (i+1)(2j+1)), i < 16, j < 64 (DC skipped).
Dct16 Dct64To16(const Grid64& grid);

// The lower median of the 256 coefficients (the 128th smallest), as the reference's Torben.
float LowerMedian(const Dct16& dct);

// Bit 16i+j set iff B[i][j] > median.
PdqHash BitsFromDct(const Dct16& dct);

// |B[i][j] - median| per bit.
BitMargins MarginsFromDct(const Dct16& dct);

// B of the image rotated/flipped as `variant`, by sign flips and transposes of B.
Dct16 DihedralDct(const Dct16& dct, Dihedral variant);

// The full result from a downsample (the 64x64 stage on).
PdqResult PdqFromGrid(const Grid64& grid, const HashOptions& options);

}  // namespace hashveil::matcher
