#include "jpeg_decoder.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <string>
#include <vector>

#include <jpeglib.h>
#include <jerror.h>  // after jpeglib.h, which it needs

#include "jpeg_early_scans.h"

namespace hashveil::matcher {
namespace {

// libjpeg reports fatal errors through error_exit, which must not return: it longjmps back to
// the Guarded() frame below. Only libjpeg calls and plain data live between setjmp and longjmp,
// so no C++ destructor is skipped.
struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  bool truncated = false;
  bool too_many_scans = false;
};

// Each scan of a progressive JPEG costs a pass over every block of its components, so a file of
// a few bytes per repeated scan buys minutes of CPU. Encoders write about 10 (libjpeg's default
// script); this allows far more than any real one while bounding the work to a small multiple
// of an ordinary decode.
constexpr int kMaxJpegScans = 256;

// libjpeg calls this between units of work; the only place to stop a scan flood.
void OnProgress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  if (reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number > kMaxJpegScans) {
    auto* errors = reinterpret_cast<ErrorManager*>(cinfo->err);
    errors->too_many_scans = true;
    std::longjmp(errors->jump, 1);
  }
}

[[noreturn]] void OnError(j_common_ptr cinfo) {
  std::longjmp(reinterpret_cast<ErrorManager*>(cinfo->err)->jump, 1);
}

void OnMessage(j_common_ptr cinfo, int level) {
  // Level -1 is a warning about corrupt data; premature end of data is the one we refuse
  // (libjpeg would pad the image with grey). Other warnings are tolerated, as viewers do.
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
    reinterpret_cast<ErrorManager*>(cinfo->err)->truncated = true;
  }
}

class Decompressor {
 public:
  Decompressor() {
    cinfo_.err = jpeg_std_error(&errors_.pub);
    errors_.pub.error_exit = OnError;
    errors_.pub.emit_message = OnMessage;
    jpeg_create_decompress(&cinfo_);
    progress_.progress_monitor = OnProgress;
    cinfo_.progress = &progress_;
  }
  ~Decompressor() { jpeg_destroy_decompress(&cinfo_); }
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Runs `step` (libjpeg calls on plain data only); false if libjpeg raised an error.
  template <typename Step>
  bool Guarded(Step&& step) {
    if (setjmp(errors_.jump)) return false;
    step(cinfo_);
    return true;
  }
  bool truncated() const { return errors_.truncated; }
  bool too_many_scans() const { return errors_.too_many_scans; }
  jpeg_decompress_struct& cinfo() { return cinfo_; }

 private:
  jpeg_decompress_struct cinfo_{};
  ErrorManager errors_{};
  jpeg_progress_mgr progress_{};
};

// Why a guarded libjpeg step failed.
Status Malformed(const Decompressor& decompressor) {
  if (decompressor.too_many_scans()) {
    return Status::ResourceExhausted("JPEG has more scans than the decoder allows");
  }
  return Status::Corrupt("JPEG data is malformed");
}

// Zigzag positions of the coefficients an early output needs: DC alone at 1/8 (the 1x1 IDCT
// reads nothing else); at 1/2 and 1/4, DC and the lowest horizontal, vertical and diagonal
// frequencies. The 4x4 and 2x2 IDCTs also read higher ones, which arrive with the late scans:
// left at zero, they moved the hashes by no more than the decode scale does (docs/pdq.md).
constexpr int kDcOnly[] = {0};
constexpr int kLowestFrequencies[] = {0, 1, 2, 4};

// Whether every component the output is computed from has a first approximation of `zigzag`.
// Grey and YCbCr output luma from component 0 alone; other colour spaces need them all.
bool CoefficientsKnown(const jpeg_decompress_struct& cinfo, std::span<const int> zigzag) {
  const bool luma_first = cinfo.jpeg_color_space == JCS_GRAYSCALE || cinfo.jpeg_color_space == JCS_YCbCr;
  const int components = luma_first ? 1 : cinfo.num_components;
  for (int c = 0; c < components; ++c) {
    for (const int k : zigzag) {
      if (cinfo.coef_bits[c][k] < 0) return false;
    }
  }
  return true;
}

// Absorbs scans until one completes with the `needed` coefficients (whatever the encoder's scan
// order: at worst the whole file), then outputs that state.
void StartEarlyOutput(jpeg_decompress_struct& cinfo, std::span<const int> needed) {
  for (;;) {
    const int status = jpeg_consume_input(&cinfo);
    if (status == JPEG_REACHED_EOI || status == JPEG_SUSPENDED) break;
    if (status == JPEG_SCAN_COMPLETED && CoefficientsKnown(cinfo, needed)) break;
  }
  jpeg_start_output(&cinfo, cinfo.input_scan_number);
}

void ReadRows(jpeg_decompress_struct& cinfo, std::uint8_t* out, std::size_t stride) {
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out + cinfo.output_scanline * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
}

// Each row into `row` and on to `squash`, which samples it while it is still in cache.
void SquashRows(jpeg_decompress_struct& cinfo, std::uint8_t* row, RowSquash& squash) {
  while (cinfo.output_scanline < cinfo.output_height) {
    if (jpeg_read_scanlines(&cinfo, &row, 1) == 1) squash.AddRow(row);
  }
}

// Adobe CMYK JPEGs store inverted inks (255 = no ink); others store inks.
void CmykToRgb(DecodedImage& image, bool inverted) {
  const std::size_t pixels = static_cast<std::size_t>(image.width) * image.height;
  for (std::size_t n = 0; n < pixels; ++n) {
    const std::uint8_t* cmyk = &image.pixels[4 * n];
    const int k = inverted ? cmyk[3] : 255 - cmyk[3];
    for (int c = 0; c < 3; ++c) {
      const int ink = inverted ? cmyk[c] : 255 - cmyk[c];
      image.pixels[3 * n + c] = static_cast<std::uint8_t>((ink * k + 127) / 255);
    }
  }
  image.pixels.resize(3 * pixels);
  image.format = PixelFormat::kRgb8;
}

}  // namespace

int JpegScaleDenominator(std::uint64_t width, std::uint64_t height, int min_side) {
  if (min_side <= 0) return 1;
  const std::uint64_t shorter = std::min(width, height);
  for (int denominator : {8, 4, 2}) {
    if ((shorter + denominator - 1) / denominator >= static_cast<std::uint64_t>(min_side)) return denominator;
  }
  return 1;
}

Result<DecodedImage> DecodeJpeg(std::span<const std::uint8_t> bytes, const JpegRequest& request) {
  Decompressor decompressor;
  jpeg_decompress_struct& cinfo = decompressor.cinfo();
  if (!decompressor.Guarded([&](jpeg_decompress_struct& c) {
        jpeg_mem_src(&c, bytes.data(), static_cast<unsigned long>(bytes.size()));
        jpeg_read_header(&c, TRUE);
      })) {
    return Malformed(decompressor);
  }
  if (static_cast<std::uint64_t>(cinfo.image_width) * cinfo.image_height > request.max_pixels) {
    return Status::ResourceExhausted("image declares more pixels than the configured maximum");
  }

  const bool fast = request.min_side > 0;
  const J_COLOR_SPACE source = cinfo.jpeg_color_space;
  const bool cmyk = source == JCS_CMYK || source == JCS_YCCK;
  if (!cmyk && source != JCS_GRAYSCALE && source != JCS_YCbCr && source != JCS_RGB) {
    return Status::Unsupported("JPEG colour space is not supported");
  }
  cinfo.out_color_space = cmyk ? JCS_CMYK : (fast || source == JCS_GRAYSCALE) ? JCS_GRAYSCALE : JCS_RGB;
  // Progressive (SOF2) only: a sequential file may also be coded in several scans (one per
  // component), but then each scan carries finished coefficients and libjpeg keeps no
  // coef_bits to follow a progression; it is decoded as a whole.
  const bool progressive = fast && cinfo.progressive_mode;
  const bool early_scans = progressive && request.early_scans;
  const int early_denominator =
      early_scans ? JpegScaleDenominator(cinfo.image_width, cinfo.image_height, request.early_scan_min_side) : 1;
  const int denominator = early_denominator > 1
                              ? early_denominator
                              : JpegScaleDenominator(cinfo.image_width, cinfo.image_height, request.min_side);
  const bool early = early_scans && denominator > 1;
  if (early) {
    // Our early-scan reader first: same pixels, without libjpeg's whole-image coefficient
    // buffers. On anything it does not handle, or refuses where libjpeg is tolerant, libjpeg
    // decides.
    Result<DecodedImage> image = denominator == 8
                                     ? DecodeFirstScanLuma(bytes, request.max_pixels, request.scratch)
                                     : DecodeFirstAcScanLuma(bytes, request.max_pixels, denominator, request.scratch);
    if (image.ok() || image.status().code() == StatusCode::kResourceExhausted) return image;
  }
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned>(denominator);
  cinfo.buffered_image = early ? TRUE : FALSE;
  // An early image is made of the coefficients as coded; libjpeg's default smoothing of an
  // incomplete progressive image would re-estimate DC from the 5x5 blocks around each block and
  // fill in the missing low frequencies.
  cinfo.do_block_smoothing = FALSE;
  if (fast) {
    cinfo.dct_method = JDCT_IFAST;
    cinfo.do_fancy_upsampling = FALSE;
  }

  // libjpeg keeps a progressive (or buffered) image's coefficients for the whole image (2 bytes
  // per coefficient of every component) while it decodes: the float planes kept for the next
  // hash would add to that peak, so they go first and are allocated again after it.
  if (request.scratch != nullptr && (cinfo.progressive_mode || early)) {
    std::vector<float>().swap(request.scratch->luma);
    std::vector<float>().swap(request.scratch->filtered);
  }
  if (!decompressor.Guarded([&](jpeg_decompress_struct& c) {
        jpeg_start_decompress(&c);
        if (early) StartEarlyOutput(c, denominator == 8 ? std::span<const int>(kDcOnly) : kLowestFrequencies);
      })) {
    return Malformed(decompressor);
  }
  DecodedImage image;
  image.width = static_cast<int>(cinfo.output_width);
  image.height = static_cast<int>(cinfo.output_height);
  image.format = cinfo.output_components == 1 ? PixelFormat::kGray8 : PixelFormat::kRgb8;
  const std::size_t stride = static_cast<std::size_t>(cinfo.output_width) * cinfo.output_components;
  RowSquash* squash = cmyk ? nullptr : request.squash;
  if (squash) squash->Start(image.width, image.height, image.format);
  // One row when squashing, else the whole image. Zeroed: libjpeg writes every row, but a plane
  // reused from an earlier image never shows it.
  const std::size_t size = squash ? stride : stride * cinfo.output_height;
  std::vector<std::uint8_t> pixels = request.scratch
                                         ? TakeBuffer(request.scratch->pixels, size, /*zero=*/true)
                                         : std::vector<std::uint8_t>(size);
  std::uint8_t* out = pixels.data();
  if (!decompressor.Guarded([&](jpeg_decompress_struct& c) {
        if (squash) {
          SquashRows(c, out, *squash);
        } else {
          ReadRows(c, out, stride);
        }
        // Stop here: the rest of a progressive file only refines what the hash does not need.
        if (early) {
          jpeg_abort_decompress(&c);
        } else {
          jpeg_finish_decompress(&c);
        }
      })) {
    return Malformed(decompressor);
  }
  if (squash == nullptr) {
    image.pixels = std::move(pixels);
  } else if (request.scratch) {
    request.scratch->pixels = std::move(pixels);  // the row buffer, kept for the next image
  }
  if (decompressor.truncated()) return Status::Corrupt("JPEG data is truncated");
  if (cmyk) CmykToRgb(image, cinfo.saw_Adobe_marker);
  return image;
}

}  // namespace hashveil::matcher
