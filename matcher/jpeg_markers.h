// The marker segments of a progressive (SOF2) Huffman JPEG, as the bounded early-scan reader
// needs them: frame, quantisation and Huffman tables, restart interval, colour-space hints and
// scan headers, each checked against its declared length before it is read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hashveil/common/status.h"
#include "jpeg_entropy.h"

namespace hashveil::matcher {

constexpr int kMaxJpegComponents = 3;  // grey or YCbCr

struct JpegComponent {
  int id = 0;
  int h = 1, v = 1;
  int quant_table = 0;
};

struct JpegFrame {
  int width = 0, height = 0;
  std::vector<JpegComponent> components;
  int max_h = 1, max_v = 1;
};

struct JpegScanComponent {
  int index = 0;     // into JpegFrame::components
  int dc_table = 0;  // Huffman table slots
  int ac_table = 0;
};

// A scan header, checked as libjpeg checks it: a DC scan (ss = 0) has se = 0; an AC scan codes
// one component and ss <= se <= 63; a refinement (ah > 0) has al = ah - 1; al <= 13.
struct JpegScan {
  std::vector<JpegScanComponent> components;
  int ss = 0, se = 0, ah = 0, al = 0;
};

// What the markers read so far define; later segments replace tables as libjpeg does.
struct JpegHeader {
  std::optional<JpegFrame> frame;
  std::array<std::optional<std::array<std::uint16_t, 64>>, 4> quant_tables;  // zigzag order
  std::array<std::optional<HuffmanSpec>, 4> dc_tables;
  std::array<std::optional<HuffmanSpec>, 4> ac_tables;
  int restart_interval = 0;
  bool saw_jfif = false;
  std::optional<int> adobe_transform;
};

// The scan whose entropy-coded data starts at `data`, or none when the image ended (EOI) there.
struct NextScan {
  std::optional<JpegScan> scan;
  std::size_t data = 0;
};

// Reads marker segments from `pos` into `header` up to the next SOS or EOI. At pos 0 the file
// must start with SOI; the frame must be SOF2 with 8-bit samples, 1 or 3 components, within
// max_pixels (kResourceExhausted) and libjpeg's 65500 px limit.
// Errors: kCorrupt (malformed or truncated segments), kUnsupported (another frame type, sample
// precision or component count), kResourceExhausted.
Result<NextScan> ReadMarkersToScan(std::span<const std::uint8_t> bytes, std::size_t pos, std::uint64_t max_pixels,
                                   JpegHeader& header);

// The colour space libjpeg infers (jdapimin.c default_decompress_parms): component 0 is luma for
// grey and YCbCr, not for RGB.
bool FirstComponentIsLuma(const JpegHeader& header);

}  // namespace hashveil::matcher
