#include "jpeg_entropy.h"

#include <algorithm>

namespace hashveil::matcher {
namespace {

constexpr std::uint8_t kRst0 = 0xD0, kRst7 = 0xD7;

}  // namespace

std::optional<HuffmanDecoder> HuffmanDecoder::Build(const HuffmanSpec& spec, bool dc_table) {
  HuffmanDecoder d;
  d.symbols_ = spec.symbols;
  int code = 0, k = 0;
  for (int bits = 1; bits <= 16; ++bits) {
    d.value_offset_[bits] = k - code;
    for (int i = 0; i < spec.counts[bits]; ++i, ++code, ++k) {
      if (code >= (1 << bits) || (dc_table && spec.symbols[k] > 15)) return std::nullopt;
      if (bits <= kHuffmanLookaheadBits) {
        const int shift = kHuffmanLookaheadBits - bits;
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

int EntropyReader::DecodeSymbol(const HuffmanDecoder& table) {
  if (count_ < 16) Fill();
  const std::uint16_t entry = table.Lookahead(static_cast<int>(buffer_ >> (64 - kHuffmanLookaheadBits)));
  if (entry != 0) {
    const int length = entry >> 8;
    if (length > count_) return -1;
    Consume(length);
    return entry & 0xFF;
  }
  for (int length = kHuffmanLookaheadBits + 1; length <= 16 && length <= count_; ++length) {
    const int symbol = table.Symbol(static_cast<int>(buffer_ >> (64 - length)), length);
    if (symbol >= 0) {
      Consume(length);
      return symbol;
    }
  }
  return -1;
}

int EntropyReader::ReadBits(int n) {
  if (n == 0) return 0;
  if (count_ < n) Fill();
  if (count_ < n) return -1;
  const int value = static_cast<int>(buffer_ >> (64 - n));
  Consume(n);
  return value;
}

bool EntropyReader::Restart(int number) {
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

void EntropyReader::Fill() {
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

std::size_t EndOfEntropyData(std::span<const std::uint8_t> bytes, std::size_t pos) {
  for (;;) {
    const auto ff = std::find(bytes.begin() + static_cast<std::ptrdiff_t>(std::min(pos, bytes.size())), bytes.end(),
                              std::uint8_t{0xFF});
    pos = static_cast<std::size_t>(ff - bytes.begin());
    std::size_t next = pos + 1;
    while (next < bytes.size() && bytes[next] == 0xFF) ++next;  // fill bytes
    if (next >= bytes.size()) return bytes.size();
    if (bytes[next] != 0 && (bytes[next] < kRst0 || bytes[next] > kRst7)) return next - 1;
    pos = next + 1;
  }
}

}  // namespace hashveil::matcher
