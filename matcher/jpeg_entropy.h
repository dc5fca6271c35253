// Entropy-coded data of a Huffman JPEG scan: canonical Huffman decoding and the bit reader that
// unstuffs bytes and stops at markers. Shared by the bounded early-scan reader's DC and AC scans.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace hashveil::matcher {

constexpr int kHuffmanLookaheadBits = 9;

// A DHT table as coded: counts[n] codes of n bits, then the symbols in code order.
struct HuffmanSpec {
  std::array<int, 17> counts{};
  std::array<std::uint8_t, 256> symbols{};
};

// Canonical Huffman decoding (T.81 F.2.2.3) with a 9-bit lookahead for the common short codes.
class HuffmanDecoder {
 public:
  // Fails as libjpeg's jpeg_make_d_derived_tbl does: a code space overflow, or (for a DC table)
  // a category above 15.
  static std::optional<HuffmanDecoder> Build(const HuffmanSpec& spec, bool dc_table);

  // (length << 8) | symbol of the code starting with these bits; 0 when it is longer.
  std::uint16_t Lookahead(int bits) const { return lookahead_[bits]; }
  // The symbol of `code`, a code of `length` bits, or -1 when no code of that length matches.
  int Symbol(int code, int length) const {
    return code <= max_code_[length] ? symbols_[value_offset_[length] + code] : -1;
  }

 private:
  std::array<std::uint16_t, 1 << kHuffmanLookaheadBits> lookahead_{};
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
  int DecodeSymbol(const HuffmanDecoder& table);
  // The next `n` (0..16) bits; -1 when the scan's data ends first.
  int ReadBits(int n);
  // At a restart boundary: drops the padding bits and reads marker RSTn (n = `number`).
  bool Restart(int number);
  bool ended_at_file_end() const { return !at_marker_ && pos_ >= bytes_.size(); }
  // The offset of the next byte not yet taken into the bit buffer (never inside a stuffed pair).
  std::size_t position() const { return pos_; }

 private:
  void Fill();
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

// T.81 F.12 EXTEND: `raw`, the `category` bits after a Huffman code, as a signed value (the top
// bit clear means negative).
inline int ExtendSign(int raw, int category) {
  return category > 0 && raw < (1 << (category - 1)) ? raw - (1 << category) + 1 : raw;
}

// Where the entropy-coded data starting at `pos` ends: the offset of the first marker that is
// neither stuffing nor a restart marker, or the file's length.
std::size_t EndOfEntropyData(std::span<const std::uint8_t> bytes, std::size_t pos);

}  // namespace hashveil::matcher
