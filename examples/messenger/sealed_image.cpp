#include "sealed_image.h"

#include <sodium.h>

namespace messenger {

BoxKeyPair GenerateBoxKeyPair() {
  BoxKeyPair keys;
  crypto_box_keypair(keys.public_key.data(), keys.secret_key.data());
  return keys;
}

bool IsSafeFileName(const std::string& name) {
  return !name.empty() && name.size() <= kMaxFileNameBytes && name.front() != '.' &&
         name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

// Plaintext: name length (u8) || name || image bytes.
hashveil::Result<std::vector<std::uint8_t>> SealImage(const PlainImage& image,
                                                      const BoxPublicKey& recipient) {
  if (!IsSafeFileName(image.file_name)) {
    return hashveil::Status::InvalidInput("image file name is not a plain base name");
  }
  if (image.bytes.size() > kMaxImageBytes) {
    return hashveil::Status::InvalidInput("image is larger than 32 MiB");
  }
  hashveil::SecretBytes plain(1 + image.file_name.size() + image.bytes.size());
  plain.data()[0] = static_cast<std::uint8_t>(image.file_name.size());
  std::copy(image.file_name.begin(), image.file_name.end(), plain.data() + 1);
  std::copy(image.bytes.begin(), image.bytes.end(), plain.data() + 1 + image.file_name.size());
  std::vector<std::uint8_t> sealed(plain.size() + crypto_box_SEALBYTES);
  crypto_box_seal(sealed.data(), plain.data(), plain.size(), recipient.data());
  return sealed;
}

hashveil::Result<PlainImage> OpenSealedImage(std::span<const std::uint8_t> sealed,
                                             const BoxKeyPair& keys) {
  if (sealed.size() < crypto_box_SEALBYTES + 1) {
    return hashveil::Status::Corrupt("sealed image is too short");
  }
  hashveil::SecretBytes plain(sealed.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(plain.data(), sealed.data(), sealed.size(), keys.public_key.data(),
                           keys.secret_key.data()) != 0) {
    return hashveil::Status::Corrupt("sealed image does not open with this user's key");
  }
  const std::size_t name_size = plain.data()[0];
  if (plain.size() < 1 + name_size) return hashveil::Status::Corrupt("sealed image is malformed");
  PlainImage image;
  image.file_name.assign(reinterpret_cast<const char*>(plain.data() + 1), name_size);
  if (!IsSafeFileName(image.file_name)) {
    return hashveil::Status::Corrupt("sealed image carries an unsafe file name");
  }
  image.bytes.assign(plain.data() + 1 + name_size, plain.data() + plain.size());
  return image;
}

}  // namespace messenger
