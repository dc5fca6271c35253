// Little-endian fixed-width fields for hashdb's file formats (.hvdb, .proof, key files).
// The reader never reads past its span: every Read* fails once the bytes run out, and the
// caller checks ok() once at the end instead of after every field.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace hashveil::hashdb {

class LeWriter {
 public:
  void U8(std::uint8_t value) { bytes_.push_back(value); }
  void U32(std::uint32_t value) { Int(value, 4); }
  void U64(std::uint64_t value) { Int(value, 8); }
  void Bytes(std::span<const std::uint8_t> bytes) {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  }
  std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  void Int(std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i) bytes_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  std::vector<std::uint8_t> bytes_;
};

class LeReader {
 public:
  explicit LeReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::uint8_t U8() { return static_cast<std::uint8_t>(Int(1)); }
  std::uint32_t U32() { return static_cast<std::uint32_t>(Int(4)); }
  std::uint64_t U64() { return Int(8); }
  template <std::size_t N>
  std::array<std::uint8_t, N> Array() {
    std::array<std::uint8_t, N> out{};
    if (Take(N)) std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset_ - N), N, out.begin());
    return out;
  }

  // False once any read ran past the end.
  bool ok() const { return ok_; }
  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return bytes_.size() - offset_; }

 private:
  bool Take(std::size_t n) {
    if (!ok_ || n > remaining()) {
      ok_ = false;
      return false;
    }
    offset_ += n;
    return true;
  }
  std::uint64_t Int(int width) {
    if (!Take(static_cast<std::size_t>(width))) return 0;
    std::uint64_t value = 0;
    for (int i = width - 1; i >= 0; --i) {
      value = value << 8 | bytes_[offset_ - static_cast<std::size_t>(width) + static_cast<std::size_t>(i)];
    }
    return value;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t offset_ = 0;
  bool ok_ = true;
};

}  // namespace hashveil::hashdb
