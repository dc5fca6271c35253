#include "pdq_core.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "photometric_variants.h"

namespace hashveil::matcher {
namespace {

using DctMatrix = Eigen::Matrix<float, 16, 64, Eigen::RowMajor>;

// Computed in double, stored as float, as the reference does.
const DctMatrix& PdqDctMatrix() {
  static const DctMatrix matrix = [] {
    DctMatrix d;
    const float scale = static_cast<float>(std::sqrt(2.0 / 64.0));
    for (int i = 0; i < 16; ++i) {
      for (int j = 0; j < 64; ++j) {
        d(i, j) = scale * static_cast<float>(std::cos((std::numbers::pi / 2.0 / 64.0) * (i + 1) * (2 * j + 1)));
      }
    }
    return d;
  }();
  return matrix;
}

}  // namespace

int PdqQuality(const Grid64& grid) {
  auto step = [](float u, float v) {
    const int d = static_cast<int>(((u - v) * 100) / 255);
    return d < 0 ? -d : d;
  };
  int gradient_sum = 0;
  for (int i = 0; i + 1 < kPdqGrid; ++i) {
    for (int j = 0; j < kPdqGrid; ++j) gradient_sum += step(grid[i * 64 + j], grid[(i + 1) * 64 + j]);
  }
  for (int i = 0; i < kPdqGrid; ++i) {
    for (int j = 0; j + 1 < kPdqGrid; ++j) gradient_sum += step(grid[i * 64 + j], grid[i * 64 + j + 1]);
  }
  return std::min(gradient_sum / 90, 100);
}

Dct16 Dct64To16(const Grid64& grid) {
  const DctMatrix& d = PdqDctMatrix();
  const Eigen::Map<const Eigen::Matrix<float, 64, 64, Eigen::RowMajor>> a(grid.data());
  Eigen::Matrix<float, 16, 64, Eigen::RowMajor> t;
  t.noalias() = d * a;
  Dct16 out;
  Eigen::Map<Eigen::Matrix<float, 16, 16, Eigen::RowMajor>> b(out.data());
  b.noalias() = t * d.transpose();
  return out;
}

float LowerMedian(const Dct16& dct) {
  Dct16 copy = dct;
  auto middle = copy.begin() + (copy.size() - 1) / 2;
  std::nth_element(copy.begin(), middle, copy.end());
  return *middle;
}

PdqHash BitsFromDct(const Dct16& dct) {
  const float median = LowerMedian(dct);
  PdqHash hash;
  for (int n = 0; n < PdqHash::kBits; ++n) hash.set_bit(n, dct[n] > median);
  return hash;
}

BitMargins MarginsFromDct(const Dct16& dct) {
  const float median = LowerMedian(dct);
  BitMargins margins;
  for (int n = 0; n < PdqHash::kBits; ++n) margins[n] = std::fabs(dct[n] - median);
  return margins;
}

// Rotating or flipping the image maps DCT basis (u, v) to itself or its transpose, times -1 for
// odd frequencies along a reversed axis. Row i of B is vertical frequency i+1, so "odd" for the
// 0-based index means even i.
Dct16 DihedralDct(const Dct16& dct, Dihedral variant) {
  Dct16 out;
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 16; ++j) {
      const float v = dct[i * 16 + j];
      const bool even_i = (i & 1) == 0, even_j = (j & 1) == 0;
      switch (variant) {
        case Dihedral::kOriginal: out[i * 16 + j] = v; break;
        case Dihedral::kRotate90: out[j * 16 + i] = even_j ? -v : v; break;
        case Dihedral::kRotate180: out[i * 16 + j] = ((i + j) & 1) ? -v : v; break;
        case Dihedral::kRotate270: out[j * 16 + i] = even_i ? -v : v; break;
        case Dihedral::kFlipX: out[i * 16 + j] = even_i ? -v : v; break;
        case Dihedral::kFlipY: out[i * 16 + j] = even_j ? -v : v; break;
        case Dihedral::kFlipPlus1: out[j * 16 + i] = v; break;
        case Dihedral::kFlipMinus1: out[j * 16 + i] = ((i + j) & 1) ? -v : v; break;
      }
    }
  }
  return out;
}

PdqResult PdqFromGrid(const Grid64& grid, const HashOptions& options) {
  PdqResult result;
  result.quality = PdqQuality(grid);
  const Dct16 dct = Dct64To16(grid);
  result.hash = BitsFromDct(dct);
  result.margins = MarginsFromDct(dct);
  if (options.dihedral) {
    std::array<PdqHash, kDihedralCount> hashes;
    for (int v = 0; v < kDihedralCount; ++v) hashes[v] = BitsFromDct(DihedralDct(dct, static_cast<Dihedral>(v)));
    result.dihedral = hashes;
  }
  if (options.variants) {
    result.variants.emplace();
    for (int v = 0; v < kPhotometricVariantCount; ++v) {
      const Dct16 edited =
          Dct64To16(ApplyPhotometricVariant(grid, static_cast<PhotometricVariant>(v)));
      (*result.variants)[v] = {BitsFromDct(edited), MarginsFromDct(edited)};
    }
  }
  return result;
}

}  // namespace hashveil::matcher
