// Memory that holds secrets: keys, blinding scalars, account state, users' perceptual hashes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace hashveil {

// Overwrites memory in a way the compiler may not elide (sodium_memzero).
void SecureWipe(void* data, std::size_t size);

// Constant-time comparison of two equal-length buffers; false if the lengths differ.
bool ConstantTimeEqual(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// Owning, move-only byte buffer that wipes itself on destruction and on move-from.
// No implicit conversion to std::string or to a printable form.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size) : bytes_(size, 0) {}
  explicit SecretBytes(std::span<const std::uint8_t> bytes) : bytes_(bytes.begin(), bytes.end()) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.bytes_.clear(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      Wipe();
      bytes_ = std::move(other.bytes_);
      other.bytes_.clear();
    }
    return *this;
  }
  ~SecretBytes() { Wipe(); }

  // An explicit copy, for the rare place that needs two owners.
  SecretBytes Clone() const { return SecretBytes(span()); }

  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  std::span<std::uint8_t> span() { return bytes_; }
  std::span<const std::uint8_t> span() const { return bytes_; }

 private:
  void Wipe() {
    if (!bytes_.empty()) SecureWipe(bytes_.data(), bytes_.size());
  }
  std::vector<std::uint8_t> bytes_;
};

// Fixed-size secret array (keys of a known length) that wipes itself.
template <std::size_t N>
class SecretArray {
 public:
  SecretArray() { bytes_.fill(0); }
  SecretArray(const SecretArray&) = delete;
  SecretArray& operator=(const SecretArray&) = delete;
  SecretArray(SecretArray&& other) noexcept : bytes_(other.bytes_) { other.Wipe(); }
  SecretArray& operator=(SecretArray&& other) noexcept {
    if (this != &other) {
      bytes_ = other.bytes_;
      other.Wipe();
    }
    return *this;
  }
  ~SecretArray() { Wipe(); }

  SecretArray Clone() const {
    SecretArray copy;
    copy.bytes_ = bytes_;
    return copy;
  }
  static constexpr std::size_t size() { return N; }
  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::span<std::uint8_t, N> span() { return bytes_; }
  std::span<const std::uint8_t, N> span() const { return bytes_; }

 private:
  void Wipe() { SecureWipe(bytes_.data(), N); }
  std::array<std::uint8_t, N> bytes_;
};

}  // namespace hashveil
