// PDQ's downsampling to 64x64: the two-pass "Jarosz" tent filter (Wojciech Jarosz, "Fast Image
// Convolutions", 2001: box, box along each axis gives a tent), then one sample per cell centre.
#pragma once

#include <array>

#include "luma.h"

namespace hashveil::matcher {

inline constexpr int kPdqGrid = 64;
using Grid64 = std::array<float, kPdqGrid * kPdqGrid>;  // row-major

// The box window per axis: ceil(dim / 128), so the two passes together span a 64th of the axis.
int JaroszWindow(int dimension);

// Rows then columns, twice, each a box of JaroszWindow() with edge-normalised (shrinking)
// windows; then out[i][j] = filtered[floor((i+0.5)*rows/64)][floor((j+0.5)*cols/64)].
// Float arithmetic in the reference's order, so results are bit-identical to it.
// Precondition: plane.rows, plane.cols >= 1. Consumes the plane as scratch; with `scratch`, the
// second plane and the sums come from it, and both planes go back to it (luma, filtered).
Grid64 JaroszDownsample(LumaPlane plane, HashingScratch* scratch = nullptr);

}  // namespace hashveil::matcher
