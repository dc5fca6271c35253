#include "jpeg_dc_scan.h"

#include <algorithm>
#include <array>
#include <climits>
#include <optional>
#include <vector>

namespace hashveil::matcher {
namespace {

// Marker codes (ITU T.81 table B.1) this reader acts on.
constexpr std::uint8_t kSoi = 0xD8, kEoi = 0xD9, kSos = 0xDA, kDqt = 0xDB, kDri = 0xDD, kDht = 0xC4,
                       kSof2 = 0xC2, kApp0 = 0xE0, kApp14 = 0xEE, kTem = 0x01, kRst0 = 0xD0, kRst7 = 0xD7;
constexpr int kMaxComponents = 3;    // grey or YCbCr
constexpr int kMaxBlocksInMcu = 10;  // T.81 B.2.3
constexpr int kMaxSamplingFactor = 4;
constexpr int kMaxDimension = 65500;  // libjpeg's JPEG_MAX_DIMENSION
constexpr int kMaxSuccessiveApproximation = 13;
constexpr int kLookaheadBits = 9;

Status Malformed() { return Status::Corrupt("JPEG first scan is malformed"); }
Status Truncated() { return Status::Corrupt("JPEG data is truncated"); }

struct Component {
  int id = 0;
  int h = 1, v = 1;
  int quant_table = 0;
};

struct Frame {
  int width = 0, height = 0;
  std::vector<Component> components;
  int max_h = 1, max_v = 1;
};

struct ScanComponent {
  int index = 0;     // into Frame::components
  int dc_table = 0;  // DC Huffman table slot
};

struct Scan {
  std::vector<ScanComponent> components;
  int ss = 0, se = 0, ah = 0, al = 0;
};

struct HuffmanSpec {
  std::array<int, 17> counts{};  // counts[n]: codes of n bits
  std::array<std::uint8_t, 256> symbols{};
};

// Canonical Huffman decoding (T.81 F.2.2.3) with a 9-bit lookahead for the common short codes.
class DcHuffmanDecoder {
 public:
  // Fails as libjpeg's jpeg_make_d_derived_tbl does: a code space overflow, or a DC category
  // above 15.
  static std::optional<DcHuffmanDecoder> Build(const HuffmanSpec& spec) {
    DcHuffmanDecoder d;
    d.symbols_ = spec.symbols;
    int code = 0, k = 0;
    for (int bits = 1; bits <= 16; ++bits) {
      d.value_offset_[bits] = k - code;
      for (int i = 0; i < spec.counts[bits]; ++i, ++code, ++k) {
        if (code >= (1 << bits) || spec.symbols[k] > 15) return std::nullopt;
        if (bits <= kLookaheadBits) {
          const int shift = kLookaheadBits - bits;
          for (int fill = 0; fill < (1 << shift); ++fill) {
            d.lookahead_[(code << shift) | fill] = static_cast<std::uint16_t>(bits << 8 | spec.symbols[k]);
          }
        }
      }
      d.max_code_[bits] = spec.counts[bits] > 0 ? code - 1 : -1;
      if (code >= (1 << bits)) return std::nullopt;
      code <<= 1;
    }
    return d;
  }

  std::uint16_t Lookahead(int bits) const { return lookahead_[bits]; }
  // The symbol of `code`, a code of `length` bits, or -1 when no code of that length matches.
  int Symbol(int code, int length) const {
    return code <= max_code_[length] ? symbols_[value_offset_[length] + code] : -1;
  }

 private:
  std::array<std::uint16_t, 1 << kLookaheadBits> lookahead_{};  // (length << 8) | symbol, 0: longer
  std::array<int, 17> max_code_{};
  std::array<int, 17> value_offset_{};
  std::array<std::uint8_t, 256> symbols_{};
};

// Entropy-coded bits of one scan: unstuffs 0xFF00, stops at any marker (never reads past it),
// and reports whether data ran out at a marker or at the end of the file.
class EntropyReader {
 public:
  EntropyReader(std::span<const std::uint8_t> bytes, std::size_t pos) : bytes_(bytes), pos_(pos) {}

  // A Huffman symbol; -1 on a bad code or when the scan's data ends first.
  int DecodeSymbol(const DcHuffmanDecoder& table) {
    if (count_ < 16) Fill();
    const std::uint16_t entry = table.Lookahead(static_cast<int>(buffer_ >> (64 - kLookaheadBits)));
    if (entry != 0) {
      const int length = entry >> 8;
      if (length > count_) return -1;
      Consume(length);
      return entry & 0xFF;
    }
    for (int length = kLookaheadBits + 1; length <= 16 && length <= count_; ++length) {
      const int symbol = table.Symbol(static_cast<int>(buffer_ >> (64 - length)), length);
      if (symbol >= 0) {
        Consume(length);
        return symbol;
      }
    }
    return -1;
  }

  // The next `n` (0..16) bits; -1 when the scan's data ends first.
  int ReadBits(int n) {
    if (n == 0) return 0;
    if (count_ < n) Fill();
    if (count_ < n) return -1;
    const int value = static_cast<int>(buffer_ >> (64 - n));
    Consume(n);
    return value;
  }

  // At a restart boundary: drops the padding bits and reads marker RSTn (n = `number`).
  bool Restart(int number) {
    buffer_ = 0;
    count_ = 0;
    if (!at_marker_) Fill();
    if (!at_marker_ || count_ != 0) return false;  // extraneous data before the marker
    std::size_t next = pos_ + 1;
    while (next < bytes_.size() && bytes_[next] == 0xFF) ++next;
    if (next >= bytes_.size() || bytes_[next] != kRst0 + number) return false;
    pos_ = next + 1;
    at_marker_ = false;
    return true;
  }

  bool ended_at_file_end() const { return !at_marker_ && pos_ >= bytes_.size(); }

 private:
  void Fill() {
    while (count_ <= 56 && !at_marker_ && pos_ < bytes_.size()) {
      std::uint8_t byte = bytes_[pos_];
      if (byte == 0xFF) {
        std::size_t next = pos_ + 1;
        while (next < bytes_.size() && bytes_[next] == 0xFF) ++next;  // fill bytes
        if (next >= bytes_.size()) {
          pos_ = next;
          return;
        }
        if (bytes_[next] != 0) {
          at_marker_ = true;  // pos_ stays on the marker's first 0xFF
          return;
        }
        pos_ = next + 1;  // stuffed 0xFF00 is one 0xFF data byte
      } else {
        ++pos_;
      }
      buffer_ |= std::uint64_t{byte} << (56 - count_);
      count_ += 8;
    }
  }
  void Consume(int n) {
    buffer_ <<= n;
    count_ -= n;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t pos_;
  std::uint64_t buffer_ = 0;  // the next bits, most significant first
  int count_ = 0;
  bool at_marker_ = false;
};

// libjpeg's post-IDCT range limit: index (value & 1023) of its table, which clamps -384..639 to
// 0..255 (as value + 128) and wraps outside that range; kept for bit-identity on odd files.
std::uint8_t RangeLimit(int value) {
  const int index = value & 1023;
  if (index < 128) return static_cast<std::uint8_t>(index + 128);
  if (index < 512) return 255;
  if (index < 896) return 0;
  return static_cast<std::uint8_t>(index - 896);
}

// What the markers before the first SOS define.
struct Header {
  std::optional<Frame> frame;
  std::array<std::optional<std::array<std::uint16_t, 64>>, 4> quant_tables;  // zigzag order
  std::array<std::optional<HuffmanSpec>, 4> dc_tables;
  int restart_interval = 0;
  bool saw_jfif = false;
  std::optional<int> adobe_transform;
};

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

Status ReadQuantTables(SegmentReader in, Header& header) {
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

Status ReadHuffmanTables(SegmentReader in, Header& header) {
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
    if (table_class == 0) header.dc_tables[slot] = spec;
  }
  return Status::Ok();
}

Status ReadFrame(SegmentReader in, std::uint64_t max_pixels, Header& header) {
  if (header.frame) return Malformed();
  if (!in.Has(6)) return Malformed();
  if (in.U8() != 8) return Status::Unsupported("JPEG sample precision is not 8 bits");
  Frame frame;
  frame.height = in.U16();
  frame.width = in.U16();
  const int count = in.U8();
  if (frame.width == 0 || frame.height == 0 || count == 0) return Malformed();
  if (!in.Has(3u * count)) return Malformed();
  if (static_cast<std::uint64_t>(frame.width) * static_cast<std::uint64_t>(frame.height) > max_pixels) {
    return Status::ResourceExhausted("image declares more pixels than the configured maximum");
  }
  if (count != 1 && count != kMaxComponents) return Status::Unsupported("JPEG is neither grey nor three-component");
  if (frame.width > kMaxDimension || frame.height > kMaxDimension) {
    return Status::Unsupported("JPEG dimensions exceed the decoder's limit");
  }
  for (int c = 0; c < count; ++c) {
    Component component;
    component.id = in.U8();
    const int sampling = in.U8();
    component.h = sampling >> 4;
    component.v = sampling & 0x0F;
    component.quant_table = in.U8();
    if (component.h < 1 || component.h > kMaxSamplingFactor || component.v < 1 ||
        component.v > kMaxSamplingFactor || component.quant_table > 3) {
      return Malformed();
    }
    for (const Component& other : frame.components) {
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

// The colour space libjpeg infers (jdapimin.c default_decompress_parms): component 0 is luma
// for grey and YCbCr, not for RGB.
bool FirstComponentIsLuma(const Header& header) {
  const auto& components = header.frame->components;
  if (components.size() == 1) return true;
  if (header.saw_jfif) return true;
  if (header.adobe_transform) return *header.adobe_transform != 0;
  return !(components[0].id == 'R' && components[1].id == 'G' && components[2].id == 'B');
}

Result<Scan> ReadScanHeader(SegmentReader in, const Header& header) {
  if (!header.frame) return Malformed();
  const Frame& frame = *header.frame;
  if (!in.Has(1)) return Malformed();
  const int count = in.U8();
  if (count < 1 || count > kMaxComponents || !in.Has(2u * count + 3)) return Malformed();
  Scan scan;
  for (int s = 0; s < count; ++s) {
    const int id = in.U8();
    const int tables = in.U8();
    const auto match = std::find_if(frame.components.begin(), frame.components.end(),
                                    [&](const Component& c) { return c.id == id; });
    if (match == frame.components.end()) return Malformed();
    const int index = static_cast<int>(match - frame.components.begin());
    for (const ScanComponent& earlier : scan.components) {
      if (earlier.index == index) return Malformed();
    }
    if ((tables >> 4) > 3) return Malformed();
    scan.components.push_back({index, tables >> 4});
  }
  scan.ss = in.U8();
  scan.se = in.U8();
  const int a = in.U8();
  scan.ah = a >> 4;
  scan.al = a & 0x0F;
  if (!in.done()) return Malformed();
  if (scan.ss != 0 || scan.ah != 0 || scan.components[0].index != 0) {
    return Status::Unsupported("JPEG's first scan is not a DC scan holding luma");
  }
  if (scan.se != 0 || scan.al > kMaxSuccessiveApproximation) return Malformed();
  return scan;
}

// Reads markers up to the first SOS; returns the offset of its entropy-coded data.
Result<std::size_t> ReadHeader(std::span<const std::uint8_t> bytes, std::uint64_t max_pixels, Header& header,
                               Scan& scan) {
  if (bytes.size() < 2 || bytes[0] != 0xFF || bytes[1] != kSoi) return Malformed();
  std::size_t pos = 2;
  for (;;) {
    if (pos >= bytes.size() || bytes[pos] != 0xFF) return pos >= bytes.size() ? Truncated() : Malformed();
    while (pos < bytes.size() && bytes[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= bytes.size()) return Truncated();
    const std::uint8_t marker = bytes[pos++];
    if (marker == kTem || (marker >= kRst0 && marker <= kRst7)) continue;  // no length
    if (marker == kEoi || marker == kSoi || marker == 0) return Malformed();
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
        HV_ASSIGN_OR_RETURN(scan, ReadScanHeader(segment, header));
        return pos;
      }
      default:
        // Any other frame type (baseline, lossless, arithmetic coding) is not this reader's job.
        if ((marker & 0xF0) == 0xC0 && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
          return Status::Unsupported("JPEG is not progressive with Huffman coding");
        }
        break;  // APPn, COM and the rest: skipped by their lengths
    }
  }
}

// Decodes the DC differences of the first scan (T.81 G.1.2.1), keeping luma's blocks.
Result<DecodedImage> DecodeScan(std::span<const std::uint8_t> bytes, std::size_t pos, const Header& header,
                                const Scan& scan) {
  const Frame& frame = *header.frame;
  const Component& luma = frame.components[0];
  if (luma.h != frame.max_h || luma.v != frame.max_v) return Status::Unsupported("JPEG luma is subsampled");
  if (!FirstComponentIsLuma(header)) return Status::Unsupported("JPEG colour space is not grey or YCbCr");
  const auto& quant = header.quant_tables[luma.quant_table];
  if (!quant) return Malformed();
  std::vector<DcHuffmanDecoder> decoders;
  int blocks_in_mcu = 0;
  for (const ScanComponent& sc : scan.components) {
    const auto& spec = header.dc_tables[sc.dc_table];  // a slot 0..3, checked in ReadScanHeader
    if (!spec) return Malformed();
    auto decoder = DcHuffmanDecoder::Build(*spec);
    if (!decoder) return Malformed();
    decoders.push_back(*decoder);
    const Component& c = frame.components[sc.index];
    blocks_in_mcu += scan.components.size() == 1 ? 1 : c.h * c.v;
  }
  if (blocks_in_mcu > kMaxBlocksInMcu) return Malformed();

  const auto ceil_div = [](std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; };
  const std::uint64_t out_width = ceil_div(frame.width, 8), out_height = ceil_div(frame.height, 8);
  // A non-interleaved scan of luma codes exactly its blocks; an interleaved one whole MCUs.
  const bool interleaved = scan.components.size() > 1;
  const std::uint64_t mcus_x = interleaved ? ceil_div(frame.width, 8u * frame.max_h) : out_width;
  const std::uint64_t mcus_y = interleaved ? ceil_div(frame.height, 8u * frame.max_v) : out_height;
  // Every block's DC difference takes at least one bit: refuse a file too short to hold them
  // before allocating anything from the declared size.
  if (mcus_x * mcus_y * static_cast<std::uint64_t>(blocks_in_mcu) > 8 * static_cast<std::uint64_t>(bytes.size() - pos)) {
    return Truncated();
  }

  DecodedImage image;
  image.width = static_cast<int>(out_width);
  image.height = static_cast<int>(out_height);
  image.format = PixelFormat::kGray8;
  image.pixels.resize(out_width * out_height);
  // libjpeg multiplies as 16-bit values (its ISLOW_MULT_TYPE is short with SIMD).
  const int q0 = static_cast<std::int16_t>((*quant)[0]);

  EntropyReader reader(bytes, pos);
  std::array<int, kMaxComponents> last_dc{};
  int next_restart = 0;
  std::uint64_t mcus_left_in_interval = header.restart_interval;
  for (std::uint64_t my = 0; my < mcus_y; ++my) {
    for (std::uint64_t mx = 0; mx < mcus_x; ++mx) {
      if (header.restart_interval > 0) {
        if (mcus_left_in_interval == 0) {
          if (!reader.Restart(next_restart)) return Malformed();
          next_restart = (next_restart + 1) & 7;
          last_dc.fill(0);
          mcus_left_in_interval = header.restart_interval;
        }
        --mcus_left_in_interval;
      }
      for (std::size_t s = 0; s < scan.components.size(); ++s) {
        const Component& c = frame.components[scan.components[s].index];
        const int rows = interleaved ? c.v : 1, cols = interleaved ? c.h : 1;
        for (int r = 0; r < rows; ++r) {
          for (int col = 0; col < cols; ++col) {
            const int category = reader.DecodeSymbol(decoders[s]);
            const int raw = category < 0 ? -1 : reader.ReadBits(category);
            if (raw < 0) return reader.ended_at_file_end() ? Truncated() : Malformed();
            // T.81 F.12 EXTEND: the top bit clear means a negative difference.
            const int diff = category > 0 && raw < (1 << (category - 1)) ? raw - (1 << category) + 1 : raw;
            const long long dc = static_cast<long long>(last_dc[s]) + diff;
            if (dc > INT_MAX || dc < INT_MIN) return Malformed();  // libjpeg refuses it too
            last_dc[s] = static_cast<int>(dc);
            if (scan.components[s].index != 0) continue;
            const std::uint64_t by = my * rows + r, bx = mx * cols + col;
            if (by >= out_height || bx >= out_width) continue;  // padding blocks of the last MCUs
            // libjpeg stores the coefficient as a 16-bit JCOEF, then its 1x1 IDCT descales by 8.
            const int coefficient = static_cast<std::int16_t>(static_cast<std::uint32_t>(dc) << scan.al);
            image.pixels[by * out_width + bx] = RangeLimit((coefficient * q0 + 4) >> 3);
          }
        }
      }
    }
  }
  return image;
}

}  // namespace

Result<DecodedImage> DecodeFirstScanLuma(std::span<const std::uint8_t> bytes, std::uint64_t max_pixels) {
  Header header;
  Scan scan;
  HV_ASSIGN_OR_RETURN(const std::size_t data_start, ReadHeader(bytes, max_pixels, header, scan));
  return DecodeScan(bytes, data_start, header, scan);
}

}  // namespace hashveil::matcher
