#include "jarosz.h"

#include <vector>

namespace hashveil::matcher {
namespace {

constexpr int kPasses = 2;

// One running-sum box over `length` elements of a strided vector. The window is centred with
// `window/2 + 1 - 1` elements before and the rest after (the reference's 7 -> 3 before, 3 after;
// 8 -> 4 before, 3 after); near the edges it shrinks and the mean is over what it covers. The
// sum adds the incoming element before subtracting the outgoing one, as the reference does.
// Processes `lanes` independent vectors side by side (lane stride 1), so column passes walk
// memory row by row; each lane's arithmetic is the same as a lone vector's.
void BoxLanes(const float* in, float* out, int length, std::size_t stride, int lanes, int window,
              std::vector<float>& sums) {
  const int half = (window + 2) / 2;
  const int lead = half - 1;                      // elements summed before the first write
  const int growing = window - half + 1;          // writes while the window grows
  const int full = length - window;               // writes with the full window
  const int shrinking = half - 1;                 // writes while the window shrinks
  sums.assign(lanes, 0.0f);
  std::size_t in_right = 0, in_left = 0, at = 0;
  int count = 0;
  auto add = [&](std::size_t row) { for (int l = 0; l < lanes; ++l) sums[l] += in[row + l]; };
  auto write = [&](std::size_t row) {
    for (int l = 0; l < lanes; ++l) out[row + l] = sums[l] / count;
  };
  for (int n = 0; n < lead; ++n, in_right += stride, ++count) add(in_right);
  for (int n = 0; n < growing; ++n, in_right += stride, at += stride) {
    add(in_right);
    ++count;
    write(at);
  }
  for (int n = 0; n < full; ++n, in_right += stride, in_left += stride, at += stride) {
    for (int l = 0; l < lanes; ++l) {
      sums[l] += in[in_right + l];
      sums[l] -= in[in_left + l];
    }
    write(at);
  }
  for (int n = 0; n < shrinking; ++n, in_left += stride, at += stride) {
    for (int l = 0; l < lanes; ++l) sums[l] -= in[in_left + l];
    --count;
    write(at);
  }
}

}  // namespace

int JaroszWindow(int dimension) { return (dimension + 2 * kPdqGrid - 1) / (2 * kPdqGrid); }

Grid64 JaroszDownsample(LumaPlane plane) {
  const int rows = plane.rows, cols = plane.cols;
  const int row_window = JaroszWindow(cols);  // along each row
  const int col_window = JaroszWindow(rows);  // along each column
  std::vector<float> scratch(plane.values.size());
  std::vector<float> sums;
  float* a = plane.values.data();
  float* b = scratch.data();
  for (int pass = 0; pass < kPasses; ++pass) {
    for (int i = 0; i < rows; ++i) {
      const std::size_t row = static_cast<std::size_t>(i) * cols;
      BoxLanes(a + row, b + row, cols, 1, 1, row_window, sums);
    }
    BoxLanes(b, a, rows, static_cast<std::size_t>(cols), cols, col_window, sums);
  }
  Grid64 grid{};
  for (int i = 0; i < kPdqGrid; ++i) {
    const int src_i = static_cast<int>(((i + 0.5) * rows) / kPdqGrid);
    for (int j = 0; j < kPdqGrid; ++j) {
      const int src_j = static_cast<int>(((j + 0.5) * cols) / kPdqGrid);
      grid[i * kPdqGrid + j] = a[static_cast<std::size_t>(src_i) * cols + src_j];
    }
  }
  return grid;
}

}  // namespace hashveil::matcher
