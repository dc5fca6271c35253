#include "hashveil/matcher/pdq_hasher.h"

#include <algorithm>
#include <limits>

#include "hashveil/common/exception_boundary.h"
#include "hashveil/common/secret_file.h"
#include "hashing_scratch.h"
#include "image_format.h"
#include "jarosz.h"
#include "jpeg_decoder.h"
#include "luma.h"
#ifndef HASHVEIL_DEVICE_ONLY
#include "opencv_decoder.h"
#endif
#include "pdq_core.h"
#include "png_decoder.h"
#include "webp_decoder.h"

namespace hashveil::matcher {
namespace {

constexpr int kMinHashableSide = 5;
// Fast mode decodes JPEGs DCT-scaled to keep the shorter side >= 512, the reference's squash
// size; progressive ones from their early scans only, keeping >= 1024 px when a scale can (1/2
// from 2048 px, 1/4 from 4096, 1/8 from 8192). On resized sharp copies, decodes whose shorter
// side lands below 1024 px missed the reference's nearest-neighbour squash by up to 12 bits (1/4
// at 2400-2800 px) and 26 (the first scan alone, 1/8 at 2176-2200 px), while 1/2 keeps them
// within 6; for progressive files our bounded reader makes the finer scale cheap.
// All then take the reference's squash, which keeps them closest to its hashes (docs/pdq.md).
constexpr int kFastMinSide = 512;
constexpr int kFastEarlyScanMinSide = 1024;
// Files larger than this are refused before reading (no image within the pixel cap needs more).
constexpr std::size_t kMaxFileBytes = std::size_t{1} << 30;

Status CheckView(const ImageView& image) {
  if (image.width < 0 || image.height < 0) return Status::InvalidInput("image size is negative");
  if (image.width == 0 || image.height == 0) return Status::Ok();
  if (image.data == nullptr) return Status::InvalidInput("image data is null");
  if (image.stride / BytesPerPixel(image.format) < static_cast<std::size_t>(image.width)) {
    return Status::InvalidInput("image stride is smaller than a row");
  }
  return Status::Ok();
}

PdqResult Unhashable(const HashOptions& options) {
  PdqResult result;
  if (options.dihedral) result.dihedral.emplace();
  if (options.variants) result.variants.emplace();
  return result;
}

// The hashing core from a luma plane, as the reference's pdqHash256FromFloatLuma: a 64x64 plane
// is taken as the downsample itself. The plane's storage goes back to `scratch`.
PdqResult HashLuma(LumaPlane plane, const HashOptions& options, HashingScratch& scratch) {
  if (plane.rows == kPdqGrid && plane.cols == kPdqGrid) {
    Grid64 grid;
    std::copy(plane.values.begin(), plane.values.end(), grid.begin());
    scratch.luma = std::move(plane.values);
    return PdqFromGrid(grid, options);
  }
  return PdqFromGrid(JaroszDownsample(std::move(plane), &scratch), options);
}

// Both modes take the reference CLI's squash; they differ in how the pixels were decoded. The
// squash comes from `squash` when the decoder streamed the rows to it, else from the pixels.
Result<PdqResult> HashDecoded(const DecodedImage& image, RowSquash& squash,
                              const HashOptions& options, HashingScratch& scratch) {
  if (image.height < kMinHashableSide || image.width < kMinHashableSide) return Unhashable(options);
  if (squash.complete()) return HashLuma(squash.TakePlane(), options, scratch);
  const PlaneSize size = SquashedSize(image.height, image.width);
  return HashLuma(ToLuma(image.view(), size.rows, size.cols, &scratch), options, scratch);
}

// With `squash`, a fast-mode JPEG's rows may go to it instead of into the result (HashDecoded).
Result<DecodedImage> Decode(std::span<const std::uint8_t> bytes, const DecodeOptions& options,
                            HashingScratch& scratch, RowSquash* squash = nullptr) {
  HV_ASSIGN_OR_RETURN(const ImageHeader header, ReadImageHeader(bytes));
  HV_RETURN_IF_ERROR(CheckPixelBudget(header, options.max_pixels));
  if (header.format == ImageFormat::kJpeg) {
    const bool fast = options.mode == DecodeMode::kFast;
    return DecodeJpeg(bytes, {.max_pixels = options.max_pixels,
                              .min_side = fast ? kFastMinSide : 0,
                              .early_scans = fast,
                              .early_scan_min_side = kFastEarlyScanMinSide,
                              .scratch = &scratch,
                              .squash = fast ? squash : nullptr});
  }
  if (header.format == ImageFormat::kPng) return DecodePng(bytes, options.max_pixels);
  if (header.format == ImageFormat::kWebp) return DecodeWebp(bytes, options.max_pixels);
#ifdef HASHVEIL_DEVICE_ONLY
  return Status::Unsupported("BMP and TIFF images are not decoded by the device-only build");
#else
  return DecodeWithOpenCv(bytes);
#endif
}

// Runs `body` with this thread's scratch, then bounds what the thread keeps (whether or not
// `body` succeeded or threw).
template <typename Body>
auto WithScratch(Body&& body) {
  HashingScratch& scratch = ThreadHashingScratch();
  struct Bounder {
    HashingScratch& scratch;
    ~Bounder() { scratch.Bound(kMaxRetainedHashingBytes); }
  } bounder{scratch};
  return body(scratch);
}

}  // namespace

Result<PdqResult> HashPixels(const ImageView& image, const HashOptions& options) {
  HV_RETURN_IF_ERROR(CheckView(image));
  if (image.height < kMinHashableSide || image.width < kMinHashableSide) return Unhashable(options);
  return StatusFromExceptions("hashing the image", [&]() -> Result<PdqResult> {
    return WithScratch([&](HashingScratch& scratch) -> Result<PdqResult> {
      return HashLuma(ToLuma(image, image.height, image.width, &scratch), options, scratch);
    });
  });
}

Result<PdqResult> HashEncodedImage(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  return StatusFromExceptions("decoding the image", [&]() -> Result<PdqResult> {
    return WithScratch([&](HashingScratch& scratch) -> Result<PdqResult> {
      // Fast mode squashes a JPEG's rows as they are decoded, without storing the image.
      RowSquash squash(&scratch);
      HV_ASSIGN_OR_RETURN(DecodedImage decoded, Decode(bytes, options, scratch, &squash));
      Result<PdqResult> result = HashDecoded(
          decoded, squash, {.dihedral = options.dihedral, .variants = options.variants}, scratch);
      // A squashed decode left its row buffer in the scratch already.
      if (!squash.complete()) scratch.pixels = std::move(decoded.pixels);
      return result;
    });
  });
}

Result<HashedImage> HashAndDeriveEncodedImage(std::span<const std::uint8_t> bytes,
                                              const DecodeOptions& options) {
  return StatusFromExceptions("decoding the image", [&]() -> Result<HashedImage> {
    return WithScratch([&](HashingScratch& scratch) -> Result<HashedImage> {
      HV_ASSIGN_OR_RETURN(DecodedImage decoded, Decode(bytes, options, scratch));
      RowSquash unused;  // the derivative needs the pixels
      Result<PdqResult> pdq = HashDecoded(
          decoded, unused, {.dihedral = options.dihedral, .variants = options.variants}, scratch);
      Result<VisualDerivative> derivative =
          pdq.ok() ? MakeVisualDerivative(decoded.view()) : Result<VisualDerivative>(pdq.status());
      scratch.pixels = std::move(decoded.pixels);
      if (!derivative.ok()) return derivative.status();
      return HashedImage{std::move(pdq).value(), std::move(derivative).value()};
    });
  });
}

Result<PdqResult> HashImageFile(const std::filesystem::path& path, const DecodeOptions& options) {
  HV_ASSIGN_OR_RETURN(const std::vector<std::uint8_t> bytes, ReadFileBytes(path, kMaxFileBytes));
  return HashEncodedImage(bytes, options);
}

}  // namespace hashveil::matcher
