// What travels between two messenger users: the image file, end-to-end encrypted for the
// recipient with libsodium's sealed box (X25519 + XSalsa20-Poly1305, crypto_box_seal). Only the
// recipient's secret key opens it; the relay stores and forwards bytes it cannot read.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hashveil/common/secret.h"
#include "hashveil/common/status.h"

namespace messenger {

inline constexpr std::size_t kBoxPublicKeyBytes = 32;  // crypto_box_PUBLICKEYBYTES
inline constexpr std::size_t kBoxSecretKeyBytes = 32;  // crypto_box_SECRETKEYBYTES
inline constexpr std::size_t kMaxImageBytes = std::size_t{32} << 20;
inline constexpr std::size_t kMaxFileNameBytes = 255;

using BoxPublicKey = std::array<std::uint8_t, kBoxPublicKeyBytes>;

struct BoxKeyPair {
  BoxPublicKey public_key{};
  hashveil::SecretArray<kBoxSecretKeyBytes> secret_key;
};

struct PlainImage {
  std::string file_name;  // a base name, checked by IsSafeFileName
  std::vector<std::uint8_t> bytes;
};

BoxKeyPair GenerateBoxKeyPair();

// A name the recipient may write in its output folder as is: 1..255 bytes, no '/', no NUL, not
// "." or "..", not starting with '.'.
bool IsSafeFileName(const std::string& name);

// Seals `image` (its name inside the ciphertext) for `recipient`. kInvalidInput for an unsafe
// name or an image over kMaxImageBytes.
hashveil::Result<std::vector<std::uint8_t>> SealImage(const PlainImage& image,
                                                      const BoxPublicKey& recipient);
// kCorrupt when the ciphertext does not open with this key pair or its content is malformed.
hashveil::Result<PlainImage> OpenSealedImage(std::span<const std::uint8_t> sealed,
                                             const BoxKeyPair& keys);

}  // namespace messenger
