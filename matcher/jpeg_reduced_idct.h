// libjpeg-turbo's reduced-size inverse DCTs (jidctred.c), bit for bit, for the bounded
// early-scan reader: an 8x8 block of quantised coefficients to 1x1, 2x2 or 4x4 pixels.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace hashveil::matcher {

// Coefficients and quantisation values of one block in natural (row-major) order, as libjpeg
// holds them: coefficients as 16-bit JCOEFs, quantisation values as 16-bit multipliers (its
// ISLOW_MULT_TYPE is short in SIMD builds such as Debian's).
using CoefficientBlock = std::array<std::int16_t, 64>;
using QuantBlock = std::array<std::int16_t, 64>;

// jpeg_idct_1x1: the DC value descaled by 8 and level-shifted.
std::uint8_t InverseDct1x1(int dc, int q0);

// jpeg_idct_2x2: reads rows and columns 0, 1, 3, 5, 7; writes 2 rows of 2 pixels to `out`.
// `nonzero` has bit n set for each natural index n that may hold a nonzero coefficient; the
// others must be zero (it only lets the transform skip work, never changes its result).
void InverseDct2x2(const CoefficientBlock& block, const QuantBlock& quant, std::uint64_t nonzero,
                   std::span<std::uint8_t, 4> out);

// jpeg_idct_4x4: reads every row and column but 4; writes 4 rows of 4 pixels to `out`.
void InverseDct4x4(const CoefficientBlock& block, const QuantBlock& quant, std::uint64_t nonzero,
                   std::span<std::uint8_t, 16> out);

// Whether the inverse DCT to `size` x `size` pixels (2 or 4) reads the coefficient at this
// natural index.
constexpr bool ReadByInverseDct(int size, int natural_index) {
  const auto used = [size](int i) { return size == 4 ? i != 4 : (i == 0 || i == 1 || i == 3 || i == 5 || i == 7); };
  return used(natural_index / 8) && used(natural_index % 8);
}

}  // namespace hashveil::matcher
