// Pixels to the float luminance plane PDQ hashes (docs/design.md section 3).
#pragma once

#include <utility>
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

// The reference CLI's squash: an image with a side over 512 px is hashed from exactly 512x512
// samples of it; a smaller one as it is.
inline constexpr int kReferenceSquash = 512;
struct PlaneSize {
  int rows = 0;
  int cols = 0;
};
PlaneSize SquashedSize(int rows, int cols);

// ToLuma(image, SquashedSize(...)) from the image's rows handed over one at a time, top to
// bottom, as a decoder outputs them: each row is sampled into the plane rows that read it and
// dropped, so the image is never stored whole. With `scratch`, as ToLuma.
class RowSquash {
 public:
  explicit RowSquash(HashingScratch* scratch = nullptr) : scratch_(scratch) {}

  // An image of this size and format (rows of width pixels, tightly packed) follows.
  void Start(int width, int height, PixelFormat format);
  // Its next row.
  void AddRow(const std::uint8_t* pixels);
  // Whether Start was called and every row has come.
  bool complete() const { return height_ > 0 && next_source_ == height_; }
  // The plane (once complete).
  LumaPlane TakePlane() { return std::move(plane_); }

 private:
  HashingScratch* scratch_;
  std::vector<int> rows_, cols_;  // the squash's source indices
  LumaPlane plane_;
  PixelFormat format_ = PixelFormat::kGray8;
  int height_ = 0;
  int next_source_ = 0;  // source rows seen
  int next_out_ = 0;     // plane rows written
};

}  // namespace hashveil::matcher
