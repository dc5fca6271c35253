// PDQ hashing on the device (docs/design.md section 3): from pixels, encoded bytes or a file to the
// 256-bit hash, its quality, each bit's margin and optionally the 8 dihedral hashes.
//
// Compatible with Meta's reference (ThreatExchange pdq/cpp): bit-identical when fed the same
// pixels; end to end within Hamming distance 10 on images of quality >= 80, in both decode modes.
// All functions are thread-safe (no shared state between threads) and never throw.
//
// Memory: the functions decoding or hashing keep their working buffers (the decoded plane, the
// float luma plane, the filter's second plane) per thread between calls, so that the next image
// reuses them instead of faulting fresh pages in (2.5-3.5 MB for a 1600 px photo in fast mode).
// After each call, buffers are released, largest first, until the thread keeps at most
// kMaxRetainedHashingBytes: one huge image never stays pinned. What is kept is freed when the
// thread exits, or now by ReleaseThreadHashingMemory().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>

#include "hashveil/common/status.h"
#include "hashveil/matcher/image_view.h"
#include "hashveil/matcher/match_keys.h"
#include "hashveil/matcher/pdq_hash.h"
#include "hashveil/matcher/visual_derivative.h"

namespace hashveil::matcher {

// The most working memory a thread keeps between calls (8 MiB).
inline constexpr std::size_t kMaxRetainedHashingBytes = std::size_t{8} << 20;
// The working memory this thread keeps now, in bytes (<= kMaxRetainedHashingBytes between calls).
std::size_t ThreadHashingMemoryBytes();
// Frees this thread's kept working memory (e.g. on the platform's memory-pressure signal); the
// next call allocates afresh.
void ReleaseThreadHashingMemory();

// The dihedral variants, in the reference's order (reference-dihedral.csv's header).
enum class Dihedral { kOriginal, kRotate90, kRotate180, kRotate270, kFlipX, kFlipY, kFlipPlus1, kFlipMinus1 };
inline constexpr int kDihedralCount = 8;

// The photometric variants of the device's copy (key scheme revision 2, docs/pdq.md "Variant
// probes"): the copy's 64x64 downsample through a gamma curve before the DCT, undoing a gamma or
// brightness edit the copy may have been through.
enum class PhotometricVariant { kGamma0_6, kGamma0_75, kGamma1_33, kGamma1_67 };
inline constexpr int kPhotometricVariantCount = 4;

// A variant's hash with its margins: what probes need.
struct VariantHash {
  PdqHash hash;
  BitMargins margins{};
};

struct PdqResult {
  PdqHash hash;
  int quality = 0;     // 0..100; hashes below kPdqMinQuality are not matched
  BitMargins margins{};  // device-only
  // Indexed by Dihedral; [kOriginal] equals `hash`. Present when asked for.
  std::optional<std::array<PdqHash, kDihedralCount>> dihedral;
  // Indexed by PhotometricVariant; device-only. Present when asked for.
  std::optional<std::array<VariantHash, kPhotometricVariantCount>> variants;
};

struct HashOptions {
  bool dihedral = false;
  bool variants = false;
};

enum class DecodeMode {
  // Decodes only what the hash needs: JPEGs DCT-domain downscaled, luma only (progressive ones
  // from their first scan alone when that holds enough pixels). Close to the reference; faster.
  kFast,
  // Full decode as the reference CLI's libjpeg/libpng layer does, reproducing its hashes.
  kReference,
  // Both modes then apply the reference CLI's squash of any image with a side over 512 px to
  // exactly 512x512 (nearest neighbour). Other formats than JPEG decode the same in both.
};

struct DecodeOptions {
  std::uint64_t max_pixels = 100'000'000;  // refused (before decoding) above this
  DecodeMode mode = DecodeMode::kFast;
  bool dihedral = false;
  bool variants = false;
};

// Hashes decoded pixels. Images under 5 px on a side hash to all zeros with quality 0.
// Alpha is flattened over white (what a viewer shows on a light background).
// Errors: kInvalidInput (null data, negative size, stride too small).
Result<PdqResult> HashPixels(const ImageView& image, const HashOptions& options = {});

// Decodes (JPEG, PNG, WebP, BMP, TIFF; EXIF orientation ignored, as the reference does) and
// hashes. Errors: kUnsupported (another format), kResourceExhausted (more pixels than
// options.max_pixels, or dimensions past the decoder's limits), kCorrupt (truncated or malformed
// data), kInternal (an unexpected decoder failure).
Result<PdqResult> HashEncodedImage(std::span<const std::uint8_t> bytes,
                                   const DecodeOptions& options = {});

// What a safety voucher needs from an encoded image, from ONE decode: the hash (with margins)
// and the small grey visual derivative, made from the same pixels the hash was made from (in
// fast mode a reduced-scale luma plane, which holds far more than the derivative's 32x32).
struct HashedImage {
  PdqResult pdq;
  VisualDerivative derivative;
};

// Errors as HashEncodedImage.
Result<HashedImage> HashAndDeriveEncodedImage(std::span<const std::uint8_t> bytes,
                                              const DecodeOptions& options = {});

// As HashEncodedImage, reading the file first (bounded; kNotFound, kIoError). Error messages
// never contain the path.
Result<PdqResult> HashImageFile(const std::filesystem::path& path,
                                const DecodeOptions& options = {});

}  // namespace hashveil::matcher
