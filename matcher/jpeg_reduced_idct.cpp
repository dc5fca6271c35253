#include "jpeg_reduced_idct.h"

#include <bit>

namespace hashveil::matcher {
namespace {

// jidctred.c's fixed point: 13 fractional bits for the constants, 2 extra bits between passes.
// Constants are round(x * 2^13).
constexpr int kConstBits = 13;
constexpr int kPass1Bits = 2;
constexpr std::int64_t kFix0_211164243 = 1730;
constexpr std::int64_t kFix0_509795579 = 4176;
constexpr std::int64_t kFix0_601344887 = 4926;
constexpr std::int64_t kFix0_720959822 = 5906;
constexpr std::int64_t kFix0_765366865 = 6270;
constexpr std::int64_t kFix0_850430095 = 6967;
constexpr std::int64_t kFix0_899976223 = 7373;
constexpr std::int64_t kFix1_061594337 = 8697;
constexpr std::int64_t kFix1_272758580 = 10426;
constexpr std::int64_t kFix1_451774981 = 11893;
constexpr std::int64_t kFix1_847759065 = 15137;
constexpr std::int64_t kFix2_172734803 = 17799;
constexpr std::int64_t kFix2_562915447 = 20995;
constexpr std::int64_t kFix3_624509785 = 29692;

std::int64_t Descale(std::int64_t x, int n) { return (x + (std::int64_t{1} << (n - 1))) >> n; }

// libjpeg's post-IDCT range limit: index (value & 1023) of its table, which clamps -384..639 to
// 0..255 (as value + 128) and wraps outside that range; kept for bit-identity on odd files.
std::uint8_t RangeLimit(std::int64_t value) {
  const int index = static_cast<int>(value & 1023);
  if (index < 128) return static_cast<std::uint8_t>(index + 128);
  if (index < 512) return 255;
  if (index < 896) return 0;
  return static_cast<std::uint8_t>(index - 896);
}

// One 1-D pass of jpeg_idct_2x2 (reads v[0], v[1], v[3], v[5], v[7]) or jpeg_idct_4x4 (every
// v[i] but v[4]): the outputs before descaling.
template <int kSize, typename Value>
std::array<std::int64_t, kSize> Pass(const std::array<Value, 8>& values) {
  std::array<std::int64_t, 8> v;
  for (int i = 0; i < 8; ++i) v[i] = values[i];
  if constexpr (kSize == 2) {
    const std::int64_t even = v[0] << (kConstBits + 2);
    const std::int64_t odd =
        v[7] * -kFix0_720959822 + v[5] * kFix0_850430095 + v[3] * -kFix1_272758580 + v[1] * kFix3_624509785;
    return {even + odd, even - odd};
  } else {
    const std::int64_t dc = v[0] << (kConstBits + 1);
    const std::int64_t even = v[2] * kFix1_847759065 + v[6] * -kFix0_765366865;
    const std::int64_t odd0 =
        v[7] * -kFix0_211164243 + v[5] * kFix1_451774981 + v[3] * -kFix2_172734803 + v[1] * kFix1_061594337;
    const std::int64_t odd2 =
        v[7] * -kFix0_509795579 + v[5] * -kFix0_601344887 + v[3] * kFix0_899976223 + v[1] * kFix2_562915447;
    return {dc + even + odd2, dc - even + odd0, dc - even - odd0, dc + even - odd2};
  }
}

// Both IDCTs: dequantised columns through Pass, descaled into an int workspace, then the
// workspace rows through Pass again to pixels. libjpeg shortcuts a column or row whose AC terms
// are all zero; its shortcut gives the same values as the general formula, so here it only
// saves work, as does skipping the coefficients `nonzero` says are zero.
template <int kSize>
void InverseDct(const CoefficientBlock& block, const QuantBlock& quant, std::uint64_t nonzero,
                std::span<std::uint8_t, kSize * kSize> out) {
  constexpr int extra = kSize == 2 ? 2 : 1;  // log2(8 / size)
  constexpr std::uint64_t kColumn = 0x0101010101010101;  // natural indices of column 0
  std::array<std::array<int, 8>, kSize> workspace;  // int, as libjpeg's
  bool rows_have_ac = false;
  for (int col = 0; col < 8; ++col) {
    const std::uint64_t column_bits = (nonzero >> col) & kColumn;
    if (column_bits == 0 || !ReadByInverseDct(kSize, col)) {
      for (int row = 0; row < kSize; ++row) workspace[row][col] = 0;
      continue;
    }
    rows_have_ac |= col != 0;
    if (column_bits == 1) {
      const auto dc = static_cast<int>(std::int64_t{block[col] * quant[col]} << kPass1Bits);
      for (int row = 0; row < kSize; ++row) workspace[row][col] = dc;
      continue;
    }
    std::array<std::int64_t, 8> column{};
    for (std::uint64_t bits = column_bits; bits != 0; bits &= bits - 1) {
      const int n = std::countr_zero(bits) + col;
      column[n / 8] = std::int64_t{block[n] * quant[n]};
    }
    const auto values = Pass<kSize>(column);
    for (int row = 0; row < kSize; ++row) {
      workspace[row][col] = static_cast<int>(Descale(values[row], kConstBits - kPass1Bits + extra));
    }
  }
  for (int row = 0; row < kSize; ++row) {
    if (!rows_have_ac) {
      const std::uint8_t dc = RangeLimit(Descale(workspace[row][0], kPass1Bits + 3));
      for (int col = 0; col < kSize; ++col) out[row * kSize + col] = dc;
      continue;
    }
    const auto values = Pass<kSize>(workspace[row]);
    for (int col = 0; col < kSize; ++col) {
      out[row * kSize + col] = RangeLimit(Descale(values[col], kConstBits + kPass1Bits + 3 + extra));
    }
  }
}

}  // namespace

std::uint8_t InverseDct1x1(int dc, int q0) { return RangeLimit(Descale(std::int64_t{dc} * q0, 3)); }

void InverseDct2x2(const CoefficientBlock& block, const QuantBlock& quant, std::uint64_t nonzero,
                   std::span<std::uint8_t, 4> out) {
  InverseDct<2>(block, quant, nonzero, out);
}

void InverseDct4x4(const CoefficientBlock& block, const QuantBlock& quant, std::uint64_t nonzero,
                   std::span<std::uint8_t, 16> out) {
  InverseDct<4>(block, quant, nonzero, out);
}

}  // namespace hashveil::matcher
