#include "jarosz.h"

#include <algorithm>
#include <utility>
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
void BoxLanes(const float* __restrict in, float* __restrict out, int length, std::size_t stride, int lanes,
              int window, std::vector<float>& sum_buffer) {
  const int half = (window + 2) / 2;
  const int lead = half - 1;                      // elements summed before the first write
  const int growing = window - half + 1;          // writes while the window grows
  const int full = length - window;               // writes with the full window
  const int shrinking = half - 1;                 // writes while the window shrinks
  sum_buffer.assign(lanes, 0.0f);
  // Distinct storage from `in` and `out` (restrict lets the lane loops vectorise).
  float* __restrict sums = sum_buffer.data();
  std::size_t in_right = 0, in_left = 0, at = 0;
  int count = 0;
  auto add = [&](std::size_t row) { for (int l = 0; l < lanes; ++l) sums[l] += in[row + l]; };
  auto write = [&](std::size_t row) {
    const float divisor = static_cast<float>(count);  // as float / int converts it
    for (int l = 0; l < lanes; ++l) out[row + l] = sums[l] / divisor;
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

// Rows per tile of the row pass: the rows are boxed side by side as lanes (each lane's arithmetic
// as a lone row's), so the running sums form kTileRows independent chains the compiler
// vectorises, instead of one chain of dependent float additions per row.
constexpr int kTileRows = 8;

// The row pass, in tiles of kTileRows rows: each tile is transposed into `tile_in` (column j at
// j * lanes), boxed as lanes, and transposed back into `out`.
void BoxRows(const float* in, float* out, int rows, int cols, int window, std::vector<float>& tiles,
             std::vector<float>& sums) {
  const std::size_t tile_size = static_cast<std::size_t>(cols) * kTileRows;
  Refit(tiles, 2 * tile_size, /*zero=*/false);  // every element read is written first
  float* tile_in = tiles.data();
  float* tile_out = tile_in + tile_size;
  for (int i0 = 0; i0 < rows; i0 += kTileRows) {
    const int lanes = std::min(kTileRows, rows - i0);
    const float* block = in + static_cast<std::size_t>(i0) * cols;
    for (int l = 0; l < lanes; ++l) {
      const float* row = block + static_cast<std::size_t>(l) * cols;
      for (int j = 0; j < cols; ++j) tile_in[static_cast<std::size_t>(j) * lanes + l] = row[j];
    }
    BoxLanes(tile_in, tile_out, cols, static_cast<std::size_t>(lanes), lanes, window, sums);
    float* out_block = out + static_cast<std::size_t>(i0) * cols;
    for (int l = 0; l < lanes; ++l) {
      float* row = out_block + static_cast<std::size_t>(l) * cols;
      for (int j = 0; j < cols; ++j) row[j] = tile_out[static_cast<std::size_t>(j) * lanes + l];
    }
  }
}

}  // namespace

int JaroszWindow(int dimension) { return (dimension + 2 * kPdqGrid - 1) / (2 * kPdqGrid); }

Grid64 JaroszDownsample(LumaPlane plane, HashingScratch* scratch) {
  const int rows = plane.rows, cols = plane.cols;
  const int row_window = JaroszWindow(cols);  // along each row
  const int col_window = JaroszWindow(rows);  // along each column
  // Every element of the second plane is written before it is read.
  std::vector<float> second = scratch ? TakeBuffer(scratch->filtered, plane.values.size(), /*zero=*/false)
                                      : std::vector<float>(plane.values.size());
  std::vector<float> local_sums, local_tiles;
  std::vector<float>& sums = scratch ? scratch->sums : local_sums;
  std::vector<float>& tiles = scratch ? scratch->tiles : local_tiles;
  float* a = plane.values.data();
  float* b = second.data();
  for (int pass = 0; pass < kPasses; ++pass) {
    BoxRows(a, b, rows, cols, row_window, tiles, sums);
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
  if (scratch) {
    scratch->luma = std::move(plane.values);
    scratch->filtered = std::move(second);
  }
  return grid;
}

}  // namespace hashveil::matcher
