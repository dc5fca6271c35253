#include "png_decoder.h"

#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstring>
#include <vector>

#include "image_format.h"

namespace hashveil::matcher {
namespace {

// Ancillary chunks that never change the samples we output but that libpng would parse and
// keep: text and ICC profiles are inflated (up to the chunk cap each, for hundreds of chunks: a
// memory bomb). Listed as "never keep", libpng skips them after checking their CRC.
constexpr png_byte kSkippedChunks[] = "iCCP\0iTXt\0tEXt\0zTXt\0sPLT\0eXIf";
constexpr int kSkippedChunkCount = sizeof(kSkippedChunks) / 5;
// No chunk libpng still reads (a palette, tRNS, a zlib window) needs more.
constexpr png_alloc_size_t kMaxChunkBytes = png_alloc_size_t{8} << 20;

struct Source {
  std::span<const std::uint8_t> bytes;
  std::size_t offset = 0;
  bool truncated = false;
};

void ReadFromSource(png_structp png, png_bytep out, std::size_t length) {
  auto* source = static_cast<Source*>(png_get_io_ptr(png));
  if (length > source->bytes.size() - source->offset) {
    source->truncated = true;
    png_error(png, "truncated");
  }
  std::memcpy(out, source->bytes.data() + source->offset, length);
  source->offset += length;
}

// libpng's error handler must not return: it longjmps back to the Guarded() frame below. Only
// libpng calls and plain data live between setjmp and longjmp, so no C++ destructor is skipped.
[[noreturn]] void OnError(png_structp png, png_const_charp /*message*/) { png_longjmp(png, 1); }
// Warnings (an ancillary chunk's bad CRC, a benign error) leave the image decodable; the
// library prints nothing.
void OnWarning(png_structp /*png*/, png_const_charp /*message*/) {}

class PngReader {
 public:
  explicit PngReader(std::span<const std::uint8_t> bytes) : source_{bytes} {
    png_ = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, OnError, OnWarning);
    if (png_ != nullptr) info_ = png_create_info_struct(png_);
  }
  ~PngReader() { png_destroy_read_struct(&png_, &info_, nullptr); }
  PngReader(const PngReader&) = delete;
  PngReader& operator=(const PngReader&) = delete;

  bool created() const { return info_ != nullptr; }
  Source& source() { return source_; }

  // Runs `step` (libpng calls on plain data only); false if libpng raised an error.
  template <typename Step>
  bool Guarded(Step&& step) {
    if (setjmp(png_jmpbuf(png_))) return false;
    step(png_, info_);
    return true;
  }

  // Why a guarded step failed.
  Status Failure() const {
    return Status::Corrupt(source_.truncated ? "PNG data is truncated" : "PNG data is malformed");
  }

 private:
  Source source_;
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

// The output layout OpenCV's PNG decoder picks from IHDR and tRNS (grfmt_png.cpp, readHeader):
// a tRNS chunk adds alpha to RGB and palette images only.
int OutputChannels(png_structp png, png_infop info) {
  switch (png_get_color_type(png, info)) {
    case PNG_COLOR_TYPE_RGB:
    case PNG_COLOR_TYPE_PALETTE: return png_get_valid(png, info, PNG_INFO_tRNS) ? 4 : 3;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1;
  }
}

// OpenCV's transformations (readData), in RGB order. Where OpenCV reads 16-bit samples and
// converts them with v / 257 rounded, png_set_scale_16 computes exactly that.
void SetTransformations(png_structp png, png_infop info, int channels) {
  const int colour_type = png_get_color_type(png, info);
  if (png_get_bit_depth(png, info) == 16) png_set_scale_16(png);
  if (channels < 4) {
    png_set_strip_alpha(png);
  } else {
    png_set_tRNS_to_alpha(png);
  }
  if (colour_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if ((colour_type & PNG_COLOR_MASK_COLOR) == 0) {
    png_set_expand_gray_1_2_4_to_8(png);
    if (channels > 1) png_set_gray_to_rgb(png);
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
}

PixelFormat FormatOf(int channels) {
  return channels == 1   ? PixelFormat::kGray8
         : channels == 3 ? PixelFormat::kRgb8
                         : PixelFormat::kRgba8;
}

}  // namespace

Result<DecodedImage> DecodePng(std::span<const std::uint8_t> bytes, std::uint64_t max_pixels) {
  // IHDR comes first in every PNG: the budget is checked from it before libpng allocates
  // anything for the image. A header that does not parse is left to libpng to report.
  if (const Result<ImageHeader> header = ReadImageHeader(bytes);
      header.ok() && header->format == ImageFormat::kPng) {
    HV_RETURN_IF_ERROR(CheckPixelBudget(*header, max_pixels));
  }
  PngReader reader(bytes);
  if (!reader.created()) return Status::Internal("libpng could not be initialised");
  // libpng's own per-side limits as a second guard (its default, 1,000,000 px, may be less).
  const auto side_limit =
      static_cast<png_uint_32>(std::min<std::uint64_t>(max_pixels, PNG_UINT_31_MAX));
  if (!reader.Guarded([&](png_structp png, png_infop info) {
        png_set_read_fn(png, &reader.source(), ReadFromSource);
        png_set_user_limits(png, side_limit, side_limit);
        png_set_chunk_malloc_max(png, kMaxChunkBytes);
        png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, kSkippedChunks,
                                    kSkippedChunkCount);
        png_read_info(png, info);
      })) {
    return reader.Failure();
  }
  DecodedImage image;
  int channels = 0;
  std::size_t row_bytes = 0;
  if (!reader.Guarded([&](png_structp png, png_infop info) {
        image.width = static_cast<int>(png_get_image_width(png, info));
        image.height = static_cast<int>(png_get_image_height(png, info));
        channels = OutputChannels(png, info);
        SetTransformations(png, info, channels);
        row_bytes = png_get_rowbytes(png, info);
      })) {
    return reader.Failure();
  }
  // Also for a file whose IHDR the header reader did not find first.
  if (static_cast<std::uint64_t>(image.width) * static_cast<std::uint64_t>(image.height) >
      max_pixels) {
    return Status::ResourceExhausted("image declares more pixels than the configured maximum");
  }
  image.format = FormatOf(channels);
  const std::size_t stride =
      static_cast<std::size_t>(image.width) * static_cast<std::size_t>(channels);
  // libpng writes rows of row_bytes: the buffer must be exactly what the transformations give.
  if (row_bytes != stride)
    return Status::Internal("PNG transformations gave an unexpected row size");
  image.pixels.resize(stride * static_cast<std::size_t>(image.height));
  std::vector<png_bytep> rows(static_cast<std::size_t>(image.height));
  for (std::size_t y = 0; y < rows.size(); ++y) rows[y] = image.pixels.data() + y * stride;
  // OpenCV reads up to IEND too: data cut short after the last row is refused.
  if (!reader.Guarded([&](png_structp png, png_infop) {
        png_read_image(png, rows.data());
        png_read_end(png, nullptr);
      })) {
    return reader.Failure();
  }
  return image;
}

}  // namespace hashveil::matcher
