// JPEG files for matcher tests, made with libjpeg itself: an in-memory encoder and decoder, and
// the lossless transcodes jpegtran does. Valid input only: libjpeg's default error handler exits.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <vector>

#include <cstdio>  // before jpeglib.h, which needs FILE
#include <jpeglib.h>

namespace hashveil::matcher::test_jpeg {

using Bytes = std::vector<std::uint8_t>;

// A libjpeg compressor writing to memory.
class MemoryEncoder {
 public:
  MemoryEncoder() {
    cinfo_.err = jpeg_std_error(&errors_);
    jpeg_create_compress(&cinfo_);
    jpeg_mem_dest(&cinfo_, &buffer_, &size_);
  }
  MemoryEncoder(const MemoryEncoder&) = delete;
  MemoryEncoder& operator=(const MemoryEncoder&) = delete;
  jpeg_compress_struct& cinfo() { return cinfo_; }
  Bytes Finish() {
    jpeg_finish_compress(&cinfo_);
    jpeg_destroy_compress(&cinfo_);
    Bytes bytes(buffer_, buffer_ + size_);
    std::free(buffer_);
    return bytes;
  }

 private:
  jpeg_compress_struct cinfo_{};
  jpeg_error_mgr errors_{};
  unsigned char* buffer_ = nullptr;
  unsigned long size_ = 0;
};

// A libjpeg decompressor reading from memory, its header read.
class MemoryDecoder {
 public:
  explicit MemoryDecoder(const Bytes& bytes) {
    cinfo_.err = jpeg_std_error(&errors_);
    jpeg_create_decompress(&cinfo_);
    jpeg_mem_src(&cinfo_, bytes.data(), static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&cinfo_, TRUE);
  }
  ~MemoryDecoder() { jpeg_destroy_decompress(&cinfo_); }
  MemoryDecoder(const MemoryDecoder&) = delete;
  MemoryDecoder& operator=(const MemoryDecoder&) = delete;
  jpeg_decompress_struct& cinfo() { return cinfo_; }

 private:
  jpeg_decompress_struct cinfo_{};
  jpeg_error_mgr errors_{};
};

// Rewrites a JPEG's scans without touching its coefficients (what jpegtran does), so the result
// decodes to the same pixels; `set_scans` chooses the new scan script.
template <typename SetScans>
Bytes TranscodeScans(const Bytes& original, SetScans&& set_scans, int restart_interval = 0) {
  MemoryDecoder decoder(original);
  jpeg_decompress_struct& in = decoder.cinfo();
  jvirt_barray_ptr* coefficients = jpeg_read_coefficients(&in);
  MemoryEncoder encoder;
  jpeg_compress_struct& out = encoder.cinfo();
  jpeg_copy_critical_parameters(&in, &out);
  set_scans(out);
  out.restart_interval = static_cast<unsigned>(restart_interval);
  jpeg_write_coefficients(&out, coefficients);
  Bytes transcoded = encoder.Finish();
  jpeg_finish_decompress(&in);
  return transcoded;
}

// Progressive with libjpeg's standard script (jpegtran -progressive).
inline Bytes TranscodeToProgressive(const Bytes& original, int restart_interval = 0) {
  return TranscodeScans(original, [](jpeg_compress_struct& out) { jpeg_simple_progression(&out); }, restart_interval);
}

// Sequential (still SOF0/SOF1), but one scan per component instead of one interleaved scan: a
// file with several scans that is not progressive.
inline Bytes TranscodeToScanPerComponent(const Bytes& original) {
  static const jpeg_scan_info kScans[] = {
      {1, {0}, 0, 63, 0, 0}, {1, {1}, 0, 63, 0, 0}, {1, {2}, 0, 63, 0, 0}, {1, {3}, 0, 63, 0, 0}};
  return TranscodeScans(original, [](jpeg_compress_struct& out) {
    out.scan_info = kScans;
    out.num_scans = out.num_components;
  });
}

// Whether the frame header before the first scan is SOF2 (progressive Huffman).
inline bool IsProgressive(const Bytes& bytes) {
  for (std::size_t i = 2; i + 3 < bytes.size() && bytes[i] == 0xFF;) {
    if (bytes[i + 1] == 0xC2) return true;
    if (bytes[i + 1] == 0xDA) return false;
    i += 2 + (bytes[i + 2] << 8 | bytes[i + 3]);
  }
  return false;
}

}  // namespace hashveil::matcher::test_jpeg
