// Injected randomness: production code draws from the OS (randombytes_buf); tests seed it
// (hashveil/common/seeded_random.h, an in-tree header that is not installed).
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

// A deterministic stream keyed by a 32-byte secret (ChaCha20 under BLAKE2b(key, call counter)):
// for secrets that every holder of `key` must derive alike (an account's secrets for one set of
// parameters). Not thread-safe; the key is copied and wiped with the stream.
std::unique_ptr<RandomSource> MakeKeyedStream(std::span<const std::uint8_t, 32> key);

}  // namespace hashveil
