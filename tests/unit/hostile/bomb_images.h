// Decompression bombs: a few dozen bytes of header that declare a huge image, in every format the
// matcher decodes. A decoder that trusts the header allocates width*height*channels bytes (10.8 GB
// for 60000x60000 RGB) before it finds out that the data is missing.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace hashveil::hostile {

using Bytes = std::vector<std::uint8_t>;

inline void PutBe16(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void PutBe32(Bytes& b, std::uint32_t v) {
  PutBe16(b, v >> 16);
  PutBe16(b, v & 0xFFFF);
}
inline void PutLe(Bytes& b, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
inline void PutText(Bytes& b, const std::string& text) { b.insert(b.end(), text.begin(), text.end()); }

// PNG's chunk CRC (ISO 3309), so the IHDR is well formed and a decoder would believe it.
inline std::uint32_t Crc32(const std::uint8_t* data, std::size_t size) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

inline void PutPngChunk(Bytes& b, const std::string& type, const Bytes& data) {
  PutBe32(b, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = b.size();
  PutText(b, type);
  b.insert(b.end(), data.begin(), data.end());
  PutBe32(b, Crc32(b.data() + start, b.size() - start));
}

// RGB, 8 bits, with an IDAT holding an empty stored zlib block.
inline Bytes PngBomb(std::uint32_t width, std::uint32_t height) {
  Bytes b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  Bytes ihdr;
  PutBe32(ihdr, width);
  PutBe32(ihdr, height);
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});
  PutPngChunk(b, "IHDR", ihdr);
  PutPngChunk(b, "IDAT", {0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01});
  PutPngChunk(b, "IEND", {});
  return b;
}

// Baseline three-component frame header, then the end of the image.
inline Bytes JpegBomb(std::uint32_t width, std::uint32_t height, std::uint8_t sof = 0xC0) {
  Bytes b = {0xFF, 0xD8, 0xFF, sof};
  PutBe16(b, 17);
  b.push_back(8);
  PutBe16(b, height);
  PutBe16(b, width);
  b.insert(b.end(), {3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1});
  b.insert(b.end(), {0xFF, 0xD9});
  return b;
}

// Extended WebP: the VP8X chunk's 24-bit canvas size (up to 16M x 16M).
inline Bytes WebpVp8xBomb(std::uint32_t width, std::uint32_t height) {
  Bytes b;
  PutText(b, "RIFF");
  PutLe(b, 22, 4);
  PutText(b, "WEBPVP8X");
  PutLe(b, 10, 4);
  PutLe(b, 0, 4);  // flags and reserved
  PutLe(b, width - 1, 3);
  PutLe(b, height - 1, 3);
  return b;
}

// Lossless WebP at its largest size, 16384 x 16384 (268 M pixels).
inline Bytes WebpVp8lBomb() {
  Bytes b;
  PutText(b, "RIFF");
  PutLe(b, 17, 4);
  PutText(b, "WEBPVP8L");
  PutLe(b, 5, 4);
  b.push_back(0x2F);
  PutLe(b, 0x3FFF | (0x3FFFu << 14), 4);  // width-1, height-1, no alpha, version 0
  b.push_back(0);
  return b;
}

// BITMAPINFOHEADER, 24 bits per pixel, rows bottom-up.
inline Bytes BmpBomb(std::uint32_t width, std::uint32_t height) {
  Bytes b;
  PutText(b, "BM");
  PutLe(b, 54, 4);
  PutLe(b, 0, 4);
  PutLe(b, 54, 4);
  PutLe(b, 40, 4);
  PutLe(b, width, 4);
  PutLe(b, height, 4);
  PutLe(b, 1, 2);
  PutLe(b, 24, 2);
  PutLe(b, 0, 4);  // BI_RGB
  b.insert(b.end(), 20, 0);  // image size, resolution, palette: unused
  return b;
}

// Little-endian TIFF whose first IFD declares the size with LONG values.
inline Bytes TiffBomb(std::uint32_t width, std::uint32_t height) {
  Bytes b = {'I', 'I', 42, 0};
  PutLe(b, 8, 4);
  PutLe(b, 4, 2);
  const std::array<std::array<std::uint32_t, 3>, 4> entries = {{
      {256, 4, width}, {257, 4, height}, {258, 3, 8}, {262, 3, 1}}};  // 8-bit grey
  for (const auto& [tag, type, value] : entries) {
    PutLe(b, tag, 2);
    PutLe(b, type, 2);
    PutLe(b, 1, 4);
    PutLe(b, value, 4);
  }
  PutLe(b, 0, 4);
  return b;
}

}  // namespace hashveil::hostile
