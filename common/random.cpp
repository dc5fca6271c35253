#include "hashveil/common/random.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "hashveil/common/secret.h"
#include "hashveil/common/seeded_random.h"

namespace hashveil {

std::uint64_t RandomSource::NextU64() {
  std::array<std::uint8_t, 8> bytes{};
  Fill(bytes);
  std::uint64_t value = 0;
  std::memcpy(&value, bytes.data(), sizeof(value));
  return value;
}

std::uint64_t RandomSource::Uniform(std::uint64_t bound) {
  // Rejection sampling: drop the top partial range so every residue is equally likely.
  const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  std::uint64_t value = NextU64();
  while (value >= limit) value = NextU64();
  return value % bound;
}

namespace {

class SystemRandom final : public RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override {
    if (!out.empty()) randombytes_buf(out.data(), out.size());
  }
};

// ChaCha20 keystream under a key derived from the seed; each Fill advances a block counter
// (hashed into the key) so consecutive calls never repeat output.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : seed_(seed) {}
  void Fill(std::span<std::uint8_t> out) override {
    std::array<std::uint8_t, 16> input{};
    std::memcpy(input.data(), &seed_, sizeof(seed_));
    std::memcpy(input.data() + 8, &counter_, sizeof(counter_));
    ++counter_;
    SecretArray<randombytes_SEEDBYTES> key;
    crypto_generichash(key.data(), key.size(), input.data(), input.size(), nullptr, 0);
    if (!out.empty()) randombytes_buf_deterministic(out.data(), out.size(), key.data());
  }

 private:
  std::uint64_t seed_;
  std::uint64_t counter_ = 0;
};

class KeyedStream final : public RandomSource {
 public:
  explicit KeyedStream(std::span<const std::uint8_t, 32> key) {
    std::copy(key.begin(), key.end(), key_.data());
  }
  void Fill(std::span<std::uint8_t> out) override {
    std::array<std::uint8_t, 8> counter{};
    std::memcpy(counter.data(), &counter_, sizeof(counter_));
    ++counter_;
    SecretArray<randombytes_SEEDBYTES> subkey;
    crypto_generichash(subkey.data(), subkey.size(), counter.data(), counter.size(), key_.data(),
                       key_.size());
    if (!out.empty()) randombytes_buf_deterministic(out.data(), out.size(), subkey.data());
  }

 private:
  SecretArray<32> key_;
  std::uint64_t counter_ = 0;
};

}  // namespace

std::unique_ptr<RandomSource> MakeKeyedStream(std::span<const std::uint8_t, 32> key) {
  return std::make_unique<KeyedStream>(key);
}

std::unique_ptr<RandomSource> MakeSystemRandom() { return std::make_unique<SystemRandom>(); }

std::unique_ptr<RandomSource> MakeSeededRandomForTesting(std::uint64_t seed) {
  return std::make_unique<SeededRandom>(seed);
}

}  // namespace hashveil
