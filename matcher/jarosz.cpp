#include "jarosz.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace hashveil::matcher {
namespace {

// Four floats per operation (GCC and Clang vector extensions: SSE on x86-64, NEON on arm64).
// Each lane is an IEEE add, subtract or divide of its own, exactly the scalar expression, so the
// results are bit-identical; written out because GCC at -O2 vectorises no loop whose trip count
// it does not know, and these loops are most of the filter's time.
typedef float Floats __attribute__((vector_size(4 * sizeof(float))));

template <typename V>
V Load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename V>
void Store(float* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

// One running-sum box pass along an axis of `length` elements, over a strip of kGroups x V lanes
// (V: a float, one lane, or Floats, four) whose sums stay in registers: `in(n)` points at element
// n's lanes, `out(n)` at where output n goes, or is null when output n is not needed (the sums
// still take every element, so the needed outputs come out as the full pass gives them). The
// window is centred with `window/2 + 1 - 1` elements before and the rest after (the reference's
// 7 -> 3 before, 3 after; 8 -> 4 before, 3 after); near the edges it shrinks and the mean is over
// what it covers. The sum adds the incoming element before subtracting the outgoing one, and
// divides by the count converted to float, as the reference does.
template <typename V, int kGroups, typename In, typename Out>
void BoxStrip(int length, int window, In&& in, Out&& out) {
  constexpr int kWidth = sizeof(V) / sizeof(float);
  const int half = (window + 2) / 2;
  const int lead = half - 1;              // elements summed before the first write
  const int growing = window - half + 1;  // writes while the window grows
  const int full = length - window;       // writes with the full window
  const int shrinking = half - 1;         // writes while the window shrinks
  V sums[kGroups] = {};
  auto add = [&](const float* p) {
    for (int g = 0; g < kGroups; ++g) sums[g] += Load<V>(p + g * kWidth);
  };
  auto subtract = [&](const float* p) {
    for (int g = 0; g < kGroups; ++g) sums[g] -= Load<V>(p + g * kWidth);
  };
  auto write = [&](float* p, int count) {
    if (p == nullptr) return;
    const float divisor = static_cast<float>(count);
    for (int g = 0; g < kGroups; ++g) Store(p + g * kWidth, sums[g] / divisor);
  };
  int right = 0, left = 0, at = 0, count = 0;
  for (int n = 0; n < lead; ++n, ++count) add(in(right++));
  for (int n = 0; n < growing; ++n) {
    add(in(right++));
    write(out(at++), ++count);
  }
  for (int n = 0; n < full; ++n) {
    add(in(right++));
    subtract(in(left++));
    write(out(at++), count);
  }
  for (int n = 0; n < shrinking; ++n) {
    subtract(in(left++));
    write(out(at++), --count);
  }
}

// Where the downsample samples one axis: floor((k + 0.5) * size / 64) for k < 64. `slot[k]` is
// k's index among the distinct positions (an axis under 64 elements repeats some), and
// `slot_at[n]` position n's slot, or -1 when nothing samples it.
struct Samples {
  std::vector<int> slot_at;
  int slot[kPdqGrid];
  int distinct = 0;

  explicit Samples(int size) : slot_at(static_cast<std::size_t>(size), -1) {
    for (int k = 0; k < kPdqGrid; ++k) {
      const int n = static_cast<int>(((k + 0.5) * size) / kPdqGrid);
      if (slot_at[n] < 0) slot_at[n] = distinct++;
      slot[k] = slot_at[n];
    }
  }
};

// Rows per tile of a row pass: the rows are boxed side by side as lanes (each lane's arithmetic
// as a lone row's), so the running sums form independent chains done as vector operations,
// instead of one chain of dependent float additions per row.
constexpr int kTileRows = 8;

// Copies a 4x4 block from `in` (rows `in_stride` apart) to `out` transposed (rows `out_stride`
// apart).
void Transpose4x4(const float* in, std::size_t in_stride, float* out, std::size_t out_stride) {
  const Floats r0 = Load<Floats>(in), r1 = Load<Floats>(in + in_stride);
  const Floats r2 = Load<Floats>(in + 2 * in_stride), r3 = Load<Floats>(in + 3 * in_stride);
  const Floats t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5),
               t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
  const Floats t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5),
               t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
  Store(out, __builtin_shufflevector(t0, t2, 0, 1, 4, 5));
  Store(out + out_stride, __builtin_shufflevector(t0, t2, 2, 3, 6, 7));
  Store(out + 2 * out_stride, __builtin_shufflevector(t1, t3, 0, 1, 4, 5));
  Store(out + 3 * out_stride, __builtin_shufflevector(t1, t3, 2, 3, 6, 7));
}

// Copies `rows` rows of `cols` floats (`in_stride` apart) to `out` transposed (its row j, at
// j * out_stride, holds column j).
void Transpose(const float* in, std::size_t in_stride, int rows, int cols, float* out,
               std::size_t out_stride) {
  int i = 0;
  for (; i + 4 <= rows; i += 4) {
    int j = 0;
    for (; j + 4 <= cols; j += 4)
      Transpose4x4(in + i * in_stride + j, in_stride, out + j * out_stride + i, out_stride);
    for (; j < cols; ++j) {
      for (int l = i; l < i + 4; ++l) out[j * out_stride + l] = in[l * in_stride + j];
    }
  }
  for (; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) out[j * out_stride + i] = in[i * in_stride + j];
  }
}

// A row pass in tiles of kTileRows rows: each tile is transposed into `tile_in` (column j at
// j * kTileRows), boxed as lanes (in a last tile short of rows, the missing lanes hold earlier
// values, are boxed and dropped), and output column j goes to `out` row i, column
// `columns->slot_at[j]` (of `columns->distinct`) when sampled, to column j when `columns` is
// null.
void BoxRows(const float* in, float* out, int rows, int cols, int window, const Samples* columns,
             HashingScratch& scratch) {
  const int out_cols = columns ? columns->distinct : cols;
  const std::size_t tile_in_size = static_cast<std::size_t>(cols) * kTileRows;
  Refit(scratch.tiles, tile_in_size + static_cast<std::size_t>(out_cols) * kTileRows,
        /*zero=*/true);
  float* tile_in = scratch.tiles.data();
  float* tile_out = tile_in + tile_in_size;
  auto column = [&](int j) { return tile_in + static_cast<std::size_t>(j) * kTileRows; };
  auto output = [&](int j) -> float* {
    const int slot = columns ? columns->slot_at[j] : j;
    return slot < 0 ? nullptr : tile_out + static_cast<std::size_t>(slot) * kTileRows;
  };
  for (int i0 = 0; i0 < rows; i0 += kTileRows) {
    const int lanes = std::min(kTileRows, rows - i0);
    Transpose(in + static_cast<std::size_t>(i0) * cols, cols, lanes, cols, tile_in, kTileRows);
    BoxStrip<Floats, kTileRows / 4>(cols, window, column, output);
    Transpose(tile_out, kTileRows, out_cols, lanes, out + static_cast<std::size_t>(i0) * out_cols,
              out_cols);
  }
}

// Columns j0 .. j0 + kGroups x V's lanes of a column pass (BoxColumns).
template <typename V, int kGroups>
void BoxColumnStrip(const float* in, float* out, int rows, int cols, int window,
                    const Samples* rows_sampled, int j0) {
  auto row = [&](int i) { return in + static_cast<std::size_t>(i) * cols + j0; };
  auto output = [&](int i) -> float* {
    const int slot = rows_sampled ? rows_sampled->slot_at[i] : i;
    return slot < 0 ? nullptr : out + static_cast<std::size_t>(slot) * cols + j0;
  };
  BoxStrip<V, kGroups>(rows, window, row, output);
}

// A column pass over `in` (rows x cols, row-major), in strips of columns walking down the rows
// (16 lanes: a cache line of each row); output row i goes to `out` row `rows_sampled->slot_at[i]`
// when sampled, to row i when `rows_sampled` is null.
void BoxColumns(const float* in, float* out, int rows, int cols, int window,
                const Samples* rows_sampled) {
  int j = 0;
  for (; j + 16 <= cols; j += 16)
    BoxColumnStrip<Floats, 4>(in, out, rows, cols, window, rows_sampled, j);
  for (; j + 4 <= cols; j += 4)
    BoxColumnStrip<Floats, 1>(in, out, rows, cols, window, rows_sampled, j);
  for (; j < cols; ++j) BoxColumnStrip<float, 1>(in, out, rows, cols, window, rows_sampled, j);
}

}  // namespace

int JaroszWindow(int dimension) { return (dimension + 2 * kPdqGrid - 1) / (2 * kPdqGrid); }

// The reference filters the whole plane twice (rows then columns, each time) and samples 64x64
// points of it. The first pass is needed whole; of the second, the row pass keeps every column's
// running sums but writes only the sampled columns, and the column pass walks those alone and
// writes only the sampled rows: the same operations on every value the samples depend on.
Grid64 JaroszDownsample(LumaPlane plane, HashingScratch* scratch) {
  HashingScratch local;
  HashingScratch& work = scratch ? *scratch : local;
  const int rows = plane.rows, cols = plane.cols;
  const int row_window = JaroszWindow(cols);  // along each row
  const int col_window = JaroszWindow(rows);  // along each column
  const Samples sampled_rows(rows), sampled_cols(cols);
  // Every element of the second plane read is written first.
  std::vector<float> second = TakeBuffer(work.filtered, plane.values.size(), /*zero=*/false);
  float* a = plane.values.data();
  float* b = second.data();
  BoxRows(a, b, rows, cols, row_window, nullptr, work);
  BoxColumns(b, a, rows, cols, col_window, nullptr);
  // rows x sampled columns into b, then sampled rows x sampled columns.
  BoxRows(a, b, rows, cols, row_window, &sampled_cols, work);
  Grid64 samples;  // at most 64 x 64
  BoxColumns(b, samples.data(), rows, sampled_cols.distinct, col_window, &sampled_rows);
  Grid64 grid{};
  for (int i = 0; i < kPdqGrid; ++i) {
    for (int j = 0; j < kPdqGrid; ++j) {
      grid[i * kPdqGrid + j] =
          samples[static_cast<std::size_t>(sampled_rows.slot[i]) * sampled_cols.distinct +
                  sampled_cols.slot[j]];
    }
  }
  if (scratch) {
    scratch->luma = std::move(plane.values);
    scratch->filtered = std::move(second);
  }
  return grid;
}

}  // namespace hashveil::matcher
