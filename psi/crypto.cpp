#include "hashveil/psi/crypto.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cassert>

namespace hashveil::psi {
static_assert(kAeadKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kAeadNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kAeadTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);

namespace {

constexpr std::string_view kSealDomain = "hashveil/aead";
constexpr std::string_view kSingleUseDomain = "hashveil/aead-single-use";
constexpr std::array<std::uint8_t, kAeadNonceBytes> kZeroNonce{};

using Nonce = std::array<std::uint8_t, kAeadNonceBytes>;
using Commitment = std::array<std::uint8_t, kKeyCommitmentBytes>;

std::span<const std::uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// (subkey || commitment) = BLAKE2b-384(key = K, domain || nonce). One keyed hash yields both, so
// the commitment binds K without exposing anything about the subkey.
void CommitKey(const AeadKey& key, std::string_view domain, const Nonce& nonce, AeadKey& subkey,
               Commitment& commitment) {
  SecretArray<kAeadKeyBytes + kKeyCommitmentBytes> derived;
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), derived.size());
  crypto_generichash_update(&state, AsBytes(domain).data(), domain.size());
  crypto_generichash_update(&state, nonce.data(), nonce.size());
  crypto_generichash_final(&state, derived.data(), derived.size());
  SecureWipe(&state, sizeof(state));
  std::copy_n(derived.data(), kAeadKeyBytes, subkey.data());
  std::copy_n(derived.data() + kAeadKeyBytes, kKeyCommitmentBytes, commitment.data());
}

// Writes commitment || ciphertext || tag to `out` (plaintext.size() + kSingleUseSealOverhead).
void SealCommitted(const AeadKey& key, std::string_view domain, const Nonce& nonce,
                   std::span<const std::uint8_t> plaintext,
                   std::span<const std::uint8_t> associated_data, std::uint8_t* out) {
  AeadKey subkey;
  Commitment commitment;
  CommitKey(key, domain, nonce, subkey, commitment);
  std::copy(commitment.begin(), commitment.end(), out);
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + kKeyCommitmentBytes, nullptr, plaintext.data(),
                                             plaintext.size(), associated_data.data(),
                                             associated_data.size(), nullptr, nonce.data(),
                                             subkey.data());
}

// Opens commitment || ciphertext || tag.
Result<SecretBytes> OpenCommitted(const AeadKey& key, std::string_view domain, const Nonce& nonce,
                                  std::span<const std::uint8_t> body,
                                  std::span<const std::uint8_t> associated_data) {
  const Status does_not_open = Status::Corrupt("ciphertext does not open");
  if (body.size() < kSingleUseSealOverhead) return does_not_open;
  AeadKey subkey;
  Commitment commitment;
  CommitKey(key, domain, nonce, subkey, commitment);
  if (!ConstantTimeEqual(commitment, body.first(kKeyCommitmentBytes))) return does_not_open;
  const auto ciphertext = body.subspan(kKeyCommitmentBytes);
  SecretBytes plaintext(ciphertext.size() - kAeadTagBytes);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plaintext.data(), nullptr, nullptr, ciphertext.data(), ciphertext.size(),
          associated_data.data(), associated_data.size(), nonce.data(), subkey.data()) != 0) {
    return does_not_open;
  }
  return plaintext;
}

}  // namespace

AeadKey RandomAeadKey(RandomSource& random) {
  AeadKey key;
  random.Fill(key.span());
  return key;
}

std::vector<std::uint8_t> Seal(const AeadKey& key, std::span<const std::uint8_t> plaintext,
                               std::span<const std::uint8_t> associated_data,
                               RandomSource& random) {
  Nonce nonce;
  random.Fill(nonce);
  std::vector<std::uint8_t> sealed(plaintext.size() + kSealOverhead);
  std::copy(nonce.begin(), nonce.end(), sealed.begin());
  SealCommitted(key, kSealDomain, nonce, plaintext, associated_data,
                sealed.data() + kAeadNonceBytes);
  return sealed;
}

Result<SecretBytes> Open(const AeadKey& key, std::span<const std::uint8_t> sealed,
                         std::span<const std::uint8_t> associated_data) {
  if (sealed.size() < kSealOverhead) return Status::Corrupt("ciphertext does not open");
  Nonce nonce;
  std::copy_n(sealed.begin(), kAeadNonceBytes, nonce.begin());
  return OpenCommitted(key, kSealDomain, nonce, sealed.subspan(kAeadNonceBytes), associated_data);
}

std::vector<std::uint8_t> SealWithSingleUseKey(const AeadKey& key,
                                               std::span<const std::uint8_t> plaintext,
                                               std::span<const std::uint8_t> associated_data) {
  std::vector<std::uint8_t> sealed(plaintext.size() + kSingleUseSealOverhead);
  SealCommitted(key, kSingleUseDomain, kZeroNonce, plaintext, associated_data, sealed.data());
  return sealed;
}

Result<SecretBytes> OpenWithSingleUseKey(const AeadKey& key, std::span<const std::uint8_t> sealed,
                                         std::span<const std::uint8_t> associated_data) {
  return OpenCommitted(key, kSingleUseDomain, kZeroNonce, sealed, associated_data);
}

namespace {

// BLAKE2b-256(domain || input), unkeyed: a KDF from a uniformly distributed group element.
AeadKey HashToKey(std::string_view domain, std::span<const std::uint8_t> input) {
  AeadKey key;
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, key.size());
  crypto_generichash_update(&state, AsBytes(domain).data(), domain.size());
  crypto_generichash_update(&state, input.data(), input.size());
  crypto_generichash_final(&state, key.data(), key.size());
  SecureWipe(&state, sizeof(state));
  return key;
}

}  // namespace

AeadKey DeriveKeyFromPoint(const Point& shared) {
  return HashToKey("hashveil/kdf/outer", shared.bytes);
}

AeadKey DeriveKeyFromScalar(const Scalar& secret) {
  return HashToKey("hashveil/kdf/adkey", secret.bytes());
}

void Prf(const PrfKey& key, std::string_view domain, std::span<const std::uint8_t> input,
         std::span<std::uint8_t> out) {
  assert(out.size() >= crypto_generichash_BYTES_MIN && out.size() <= crypto_generichash_BYTES_MAX);
  assert(domain.size() < 256);
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), out.size());
  const std::uint8_t domain_length = static_cast<std::uint8_t>(domain.size());
  crypto_generichash_update(&state, &domain_length, 1);
  crypto_generichash_update(&state, AsBytes(domain).data(), domain.size());
  crypto_generichash_update(&state, input.data(), input.size());
  crypto_generichash_final(&state, out.data(), out.size());
  SecureWipe(&state, sizeof(state));
}

}  // namespace hashveil::psi
