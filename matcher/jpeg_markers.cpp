#include "jpeg_markers.h"

#include <algorithm>

namespace hashveil::matcher {
namespace {

// Marker codes (ITU T.81 table B.1) this reader acts on.
constexpr std::uint8_t kSoi = 0xD8, kEoi = 0xD9, kSos = 0xDA, kDqt = 0xDB, kDri = 0xDD, kDht = 0xC4,
                       kSof2 = 0xC2, kApp0 = 0xE0, kApp14 = 0xEE, kTem = 0x01, kRst0 = 0xD0, kRst7 = 0xD7;
constexpr int kMaxSamplingFactor = 4;
constexpr int kMaxDimension = 65500;  // libjpeg's JPEG_MAX_DIMENSION
constexpr int kMaxSuccessiveApproximation = 13;
constexpr int kLastCoefficient = 63;

Status Malformed() { return Status::Corrupt("JPEG markers are malformed"); }
Status Truncated() { return Status::Corrupt("JPEG data is truncated"); }

class SegmentReader {
 public:
  explicit SegmentReader(std::span<const std::uint8_t> data) : data_(data) {}
  bool Has(std::size_t n) const { return data_.size() - pos_ >= n; }
  int U8() { return data_[pos_++]; }
  int U16() {
    const int value = data_[pos_] << 8 | data_[pos_ + 1];
    pos_ += 2;
    return value;
  }
  bool done() const { return pos_ == data_.size(); }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

Status ReadQuantTables(SegmentReader in, JpegHeader& header) {
  while (!in.done()) {
    const int pq_tq = in.U8();
    const int precision = pq_tq >> 4, slot = pq_tq & 0x0F;
    if (slot > 3 || precision > 1 || !in.Has(64u * (precision + 1))) return Malformed();
    std::array<std::uint16_t, 64> table{};
    for (auto& q : table) q = static_cast<std::uint16_t>(precision ? in.U16() : in.U8());
    header.quant_tables[slot] = table;
  }
  return Status::Ok();
}

Status ReadHuffmanTables(SegmentReader in, JpegHeader& header) {
  while (!in.done()) {
    if (!in.Has(17)) return Malformed();
    const int tc_th = in.U8();
    const int table_class = tc_th >> 4, slot = tc_th & 0x0F;
    if (table_class > 1 || slot > 3) return Malformed();
    HuffmanSpec spec;
    int total = 0;
    for (int n = 1; n <= 16; ++n) total += spec.counts[n] = in.U8();
    if (total > 256 || !in.Has(static_cast<std::size_t>(total))) return Malformed();
    for (int k = 0; k < total; ++k) spec.symbols[k] = static_cast<std::uint8_t>(in.U8());
    (table_class == 0 ? header.dc_tables : header.ac_tables)[slot] = spec;
  }
  return Status::Ok();
}

Status ReadFrame(SegmentReader in, std::uint64_t max_pixels, JpegHeader& header) {
  if (header.frame) return Malformed();
  if (!in.Has(6)) return Malformed();
  if (in.U8() != 8) return Status::Unsupported("JPEG sample precision is not 8 bits");
  JpegFrame frame;
  frame.height = in.U16();
  frame.width = in.U16();
  const int count = in.U8();
  if (frame.width == 0 || frame.height == 0 || count == 0) return Malformed();
  if (!in.Has(3u * count)) return Malformed();
  if (static_cast<std::uint64_t>(frame.width) * static_cast<std::uint64_t>(frame.height) > max_pixels) {
    return Status::ResourceExhausted("image declares more pixels than the configured maximum");
  }
  if (count != 1 && count != kMaxJpegComponents) {
    return Status::Unsupported("JPEG is neither grey nor three-component");
  }
  if (frame.width > kMaxDimension || frame.height > kMaxDimension) {
    return Status::Unsupported("JPEG dimensions exceed the decoder's limit");
  }
  for (int c = 0; c < count; ++c) {
    JpegComponent component;
    component.id = in.U8();
    const int sampling = in.U8();
    component.h = sampling >> 4;
    component.v = sampling & 0x0F;
    component.quant_table = in.U8();
    if (component.h < 1 || component.h > kMaxSamplingFactor || component.v < 1 ||
        component.v > kMaxSamplingFactor || component.quant_table > 3) {
      return Malformed();
    }
    for (const JpegComponent& other : frame.components) {
      if (other.id == component.id) return Status::Unsupported("JPEG component identifiers repeat");
    }
    frame.max_h = std::max(frame.max_h, component.h);
    frame.max_v = std::max(frame.max_v, component.v);
    frame.components.push_back(component);
  }
  if (!in.done()) return Malformed();
  header.frame = std::move(frame);
  return Status::Ok();
}

Result<JpegScan> ReadScanHeader(SegmentReader in, const JpegHeader& header) {
  if (!header.frame) return Malformed();
  const JpegFrame& frame = *header.frame;
  if (!in.Has(1)) return Malformed();
  const int count = in.U8();
  if (count < 1 || count > kMaxJpegComponents || !in.Has(2u * count + 3)) return Malformed();
  JpegScan scan;
  for (int s = 0; s < count; ++s) {
    const int id = in.U8();
    const int tables = in.U8();
    const auto match = std::find_if(frame.components.begin(), frame.components.end(),
                                    [&](const JpegComponent& c) { return c.id == id; });
    if (match == frame.components.end()) return Malformed();
    const int index = static_cast<int>(match - frame.components.begin());
    for (const JpegScanComponent& earlier : scan.components) {
      if (earlier.index == index) return Malformed();
    }
    if ((tables >> 4) > 3 || (tables & 0x0F) > 3) return Malformed();
    scan.components.push_back({index, tables >> 4, tables & 0x0F});
  }
  scan.ss = in.U8();
  scan.se = in.U8();
  const int a = in.U8();
  scan.ah = a >> 4;
  scan.al = a & 0x0F;
  if (!in.done()) return Malformed();
  // libjpeg's start_pass_phuff_decoder refuses exactly these.
  const bool dc = scan.ss == 0;
  if (dc ? scan.se != 0 : (scan.ss > scan.se || scan.se > kLastCoefficient || count != 1)) return Malformed();
  if ((scan.ah != 0 && scan.al != scan.ah - 1) || scan.al > kMaxSuccessiveApproximation) return Malformed();
  return scan;
}

}  // namespace

Result<NextScan> ReadMarkersToScan(std::span<const std::uint8_t> bytes, std::size_t pos, std::uint64_t max_pixels,
                                   JpegHeader& header) {
  if (pos == 0) {
    if (bytes.size() < 2 || bytes[0] != 0xFF || bytes[1] != kSoi) return Malformed();
    pos = 2;
  }
  for (;;) {
    if (pos >= bytes.size() || bytes[pos] != 0xFF) return pos >= bytes.size() ? Truncated() : Malformed();
    while (pos < bytes.size() && bytes[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= bytes.size()) return Truncated();
    const std::uint8_t marker = bytes[pos++];
    if (marker == kTem || (marker >= kRst0 && marker <= kRst7)) continue;  // no length
    if (marker == kEoi) {
      if (!header.frame) return Malformed();
      return NextScan{std::nullopt, pos};
    }
    if (marker == kSoi || marker == 0) return Malformed();
    if (bytes.size() - pos < 2) return Truncated();
    const std::size_t length = static_cast<std::size_t>(bytes[pos] << 8 | bytes[pos + 1]);
    if (length < 2) return Malformed();
    if (bytes.size() - pos < length) return Truncated();
    const SegmentReader segment(bytes.subspan(pos + 2, length - 2));
    const std::span<const std::uint8_t> body = bytes.subspan(pos + 2, length - 2);
    pos += length;
    switch (marker) {
      case kSof2:
        HV_RETURN_IF_ERROR(ReadFrame(segment, max_pixels, header));
        break;
      case kDqt:
        HV_RETURN_IF_ERROR(ReadQuantTables(segment, header));
        break;
      case kDht:
        HV_RETURN_IF_ERROR(ReadHuffmanTables(segment, header));
        break;
      case kDri:
        if (length != 4) return Malformed();
        header.restart_interval = body[0] << 8 | body[1];
        break;
      case kApp0:  // libjpeg looks at the first 14 bytes: "JFIF\0" and its fields
        if (body.size() >= 14 && std::equal(body.begin(), body.begin() + 5, "JFIF")) header.saw_jfif = true;
        break;
      case kApp14:  // "Adobe\0", version, flags0, flags1, transform
        if (body.size() >= 12 && std::equal(body.begin(), body.begin() + 5, "Adobe")) {
          header.adobe_transform = body[11];
        }
        break;
      case kSos: {
        HV_ASSIGN_OR_RETURN(JpegScan scan, ReadScanHeader(segment, header));
        return NextScan{std::move(scan), pos};
      }
      default:
        // Any other frame type (baseline, lossless, arithmetic coding) is not this reader's job.
        if ((marker & 0xF0) == 0xC0 && marker != kDht && marker != 0xC8 && marker != 0xCC) {
          return Status::Unsupported("JPEG is not progressive with Huffman coding");
        }
        break;  // APPn, COM and the rest: skipped by their lengths
    }
  }
}

bool FirstComponentIsLuma(const JpegHeader& header) {
  const auto& components = header.frame->components;
  if (components.size() == 1) return true;
  if (header.saw_jfif) return true;
  if (header.adobe_transform) return *header.adobe_transform != 0;
  return !(components[0].id == 'R' && components[1].id == 'G' && components[2].id == 'B');
}

}  // namespace hashveil::matcher
