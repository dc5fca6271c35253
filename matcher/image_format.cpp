#include "image_format.h"

#include <algorithm>
#include <cstring>

namespace hashveil::matcher {
namespace {

using Bytes = std::span<const std::uint8_t>;

std::uint32_t Be16(Bytes b, std::size_t at) { return b[at] << 8 | b[at + 1]; }
std::uint32_t Be32(Bytes b, std::size_t at) { return Be16(b, at) << 16 | Be16(b, at + 2); }
std::uint32_t Le16(Bytes b, std::size_t at) { return b[at] | b[at + 1] << 8; }
std::uint32_t Le24(Bytes b, std::size_t at) { return Le16(b, at) | b[at + 2] << 16; }
std::uint32_t Le32(Bytes b, std::size_t at) { return Le16(b, at) | Le16(b, at + 2) << 16; }

bool StartsWith(Bytes b, const char* magic, std::size_t length, std::size_t at = 0) {
  return b.size() >= at + length && std::memcmp(b.data() + at, magic, length) == 0;
}

Status Truncated(const char* format) {
  return Status::Corrupt(std::string(format) + " header is truncated or malformed");
}

// Walks the marker segments up to the first start-of-frame (SOFn, except DHT/JPG/DAC).
Result<ImageHeader> JpegHeader(Bytes b) {
  std::size_t at = 2;
  while (at + 4 <= b.size()) {
    if (b[at] != 0xFF) return Truncated("JPEG");
    const std::uint8_t marker = b[at + 1];
    if (marker == 0xFF) { ++at; continue; }  // fill byte
    const bool standalone = marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7);
    if (standalone) { at += 2; continue; }
    const std::size_t length = Be16(b, at + 2);
    if (length < 2) return Truncated("JPEG");
    const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
                       marker != 0xCC;
    if (frame) {
      if (at + 9 > b.size() || length < 7) return Truncated("JPEG");
      return ImageHeader{ImageFormat::kJpeg, Be16(b, at + 7), Be16(b, at + 5), (marker & 3) == 2};
    }
    if (marker == 0xDA || marker == 0xD9) break;  // scan or end before any frame header
    at += 2 + length;
  }
  return Truncated("JPEG");
}

Result<ImageHeader> PngHeader(Bytes b) {
  if (b.size() < 24 || !StartsWith(b, "IHDR", 4, 12)) return Truncated("PNG");
  return ImageHeader{ImageFormat::kPng, Be32(b, 16), Be32(b, 20)};
}

Result<ImageHeader> WebpHeader(Bytes b) {
  if (b.size() >= 30 && StartsWith(b, "VP8 ", 4, 12)) {
    if (b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a) return Truncated("WebP");
    return ImageHeader{ImageFormat::kWebp, Le16(b, 26) & 0x3fff, Le16(b, 28) & 0x3fff};
  }
  if (b.size() >= 25 && StartsWith(b, "VP8L", 4, 12)) {
    if (b[20] != 0x2f) return Truncated("WebP");
    const std::uint32_t bits = Le32(b, 21);
    return ImageHeader{ImageFormat::kWebp, (bits & 0x3fff) + 1u, ((bits >> 14) & 0x3fff) + 1u};
  }
  if (b.size() >= 30 && StartsWith(b, "VP8X", 4, 12)) {
    return ImageHeader{ImageFormat::kWebp, Le24(b, 24) + 1u, Le24(b, 27) + 1u};
  }
  return Truncated("WebP");
}

Result<ImageHeader> BmpHeader(Bytes b) {
  if (b.size() < 26) return Truncated("BMP");
  const std::uint32_t dib_size = Le32(b, 14);
  if (dib_size == 12) return ImageHeader{ImageFormat::kBmp, Le16(b, 18), Le16(b, 20)};
  const auto width = static_cast<std::int32_t>(Le32(b, 18));
  const auto height = static_cast<std::int32_t>(Le32(b, 22));  // negative: rows top-down
  if (width <= 0 || height == INT32_MIN) return Truncated("BMP");
  return ImageHeader{ImageFormat::kBmp, static_cast<std::uint64_t>(width),
                     static_cast<std::uint64_t>(height < 0 ? -static_cast<std::int64_t>(height) : height)};
}

// The first IFD's ImageWidth (256) and ImageLength (257).
Result<ImageHeader> TiffHeader(Bytes b) {
  if (b.size() < 8) return Truncated("TIFF");
  const bool little = b[0] == 'I';
  auto u16 = [&](std::size_t at) { return little ? Le16(b, at) : Be16(b, at); };
  auto u32 = [&](std::size_t at) { return little ? Le32(b, at) : Be32(b, at); };
  const std::size_t ifd = u32(4);
  if (ifd > b.size() || b.size() - ifd < 2) return Truncated("TIFF");
  const std::size_t entries = u16(ifd);
  if ((b.size() - ifd - 2) / 12 < entries) return Truncated("TIFF");
  ImageHeader header{ImageFormat::kTiff};
  for (std::size_t e = 0; e < entries; ++e) {
    const std::size_t at = ifd + 2 + 12 * e;
    const std::uint32_t tag = u16(at), type = u16(at + 2);
    if (tag != 256 && tag != 257) continue;
    const std::uint64_t value = type == 3 ? u16(at + 8) : type == 4 ? u32(at + 8) : 0;
    (tag == 256 ? header.width : header.height) = value;
  }
  return header;
}

}  // namespace

Result<ImageHeader> ReadImageHeader(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return Status::InvalidInput("image is empty (0 bytes)");
  Result<ImageHeader> header = Status::Unsupported("not a JPEG, PNG, WebP, BMP or TIFF image");
  if (StartsWith(bytes, "\xFF\xD8\xFF", 3)) header = JpegHeader(bytes);
  else if (StartsWith(bytes, "\x89PNG\r\n\x1a\n", 8)) header = PngHeader(bytes);
  else if (StartsWith(bytes, "RIFF", 4) && StartsWith(bytes, "WEBP", 4, 8)) header = WebpHeader(bytes);
  else if (StartsWith(bytes, "BM", 2)) header = BmpHeader(bytes);
  else if (StartsWith(bytes, "II*\0", 4) || StartsWith(bytes, "MM\0*", 4)) header = TiffHeader(bytes);
  if (header.ok() && (header->width == 0 || header->height == 0)) {
    return Status::Corrupt("image header declares a zero or missing dimension");
  }
  return header;
}

Status CheckPixelBudget(const ImageHeader& header, std::uint64_t max_pixels) {
  // Both are below 2^32, so the product cannot overflow.
  if (header.width * header.height > max_pixels) {
    return Status::ResourceExhausted("image declares more pixels than the configured maximum");
  }
  return Status::Ok();
}

}  // namespace hashveil::matcher
