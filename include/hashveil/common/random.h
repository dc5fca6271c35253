// Injected randomness: production code draws from the OS (randombytes_buf); tests seed it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

namespace hashveil {

// Thread safety: SystemRandom is thread-safe; a seeded source is not (one per thread).
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void Fill(std::span<std::uint8_t> out) = 0;
  std::uint64_t NextU64();
  // Uniform in [0, bound) without modulo bias; bound > 0.
  std::uint64_t Uniform(std::uint64_t bound);
};

// The only source for production: libsodium's randombytes_buf.
std::unique_ptr<RandomSource> MakeSystemRandom();

// Deterministic stream from a seed (ChaCha20 keyed by the seed). For tests and reproducible
// audits only: never for keys, nonces or blinding factors in production.
std::unique_ptr<RandomSource> MakeSeededRandomForTesting(std::uint64_t seed);

}  // namespace hashveil
