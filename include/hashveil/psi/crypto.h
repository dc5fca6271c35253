// Symmetric primitives of the voucher protocol (docs/design.md section 5, "Primitives"): a
// key-committing AEAD, the KDFs that turn group elements into AEAD keys, and a keyed PRF.
// All are BLAKE2b and XChaCha20-Poly1305-IETF from libsodium; byte layouts and domain strings
// are in docs/protocol.md.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/secret.h"
#include "hashveil/common/status.h"
#include "hashveil/psi/group.h"

namespace hashveil::psi {

inline constexpr std::size_t kAeadKeyBytes = 32;
inline constexpr std::size_t kAeadNonceBytes = 24;       // XChaCha20
inline constexpr std::size_t kAeadTagBytes = 16;         // Poly1305
inline constexpr std::size_t kKeyCommitmentBytes = 16;   // truncated BLAKE2b, see Seal
inline constexpr std::size_t kPrfKeyBytes = 32;

// Bytes Seal adds to a plaintext: nonce || commitment || ciphertext || tag.
inline constexpr std::size_t kSealOverhead = kAeadNonceBytes + kKeyCommitmentBytes + kAeadTagBytes;
// Bytes SealWithSingleUseKey adds: commitment || ciphertext || tag (the nonce is implicit).
inline constexpr std::size_t kSingleUseSealOverhead = kKeyCommitmentBytes + kAeadTagBytes;

using AeadKey = SecretArray<kAeadKeyBytes>;
using PrfKey = SecretArray<kPrfKeyBytes>;

// A fresh uniformly random AEAD key (rkey, adkey material, storage keys).
AeadKey RandomAeadKey(RandomSource& random);

// Key-committing authenticated encryption. With a fresh random 24-byte nonce N from `random`:
//   (subkey || commitment) = BLAKE2b-384(key = K, "hashveil/aead" || N)   (32 + 16 bytes)
//   sealed = N || commitment || XChaCha20-Poly1305(subkey, N, plaintext, associated_data)
// Open recomputes the commitment from its key and compares it in constant time before
// decrypting, so a ciphertext opens under exactly one key: a wrong key fails the commitment
// check (probability 2^-128 of a false pass, the same as the Poly1305 tag's forgery bound).
// 16 bytes of commitment suffice because no protocol role can profit from a commitment
// collision (2^64 work): every ciphertext is produced by the party that knows its key, and the
// receiver derives exactly one key per ciphertext. Output size: plaintext + kSealOverhead.
std::vector<std::uint8_t> Seal(const AeadKey& key, std::span<const std::uint8_t> plaintext,
                               std::span<const std::uint8_t> associated_data,
                               RandomSource& random);

// Opens a Seal output. kCorrupt "does not open" for a wrong key, wrong associated data, any
// flipped byte or a truncated input; never says which.
Result<SecretBytes> Open(const AeadKey& key, std::span<const std::uint8_t> sealed,
                         std::span<const std::uint8_t> associated_data);

// The same construction for a key that encrypts exactly one message in its lifetime (the outer
// voucher entries: each KDF(S) comes from fresh beta, gamma). The nonce is the all-zero
// constant and is not stored, which saves 24 bytes in each of the voucher's P outer entries;
// the subkey uses its own domain "hashveil/aead-single-use". Precondition (unchecked): `key` is
// never used to seal anything else. Output size: plaintext + kSingleUseSealOverhead.
std::vector<std::uint8_t> SealWithSingleUseKey(const AeadKey& key,
                                               std::span<const std::uint8_t> plaintext,
                                               std::span<const std::uint8_t> associated_data);

// Opens a SealWithSingleUseKey output; errors as Open.
Result<SecretBytes> OpenWithSingleUseKey(const AeadKey& key, std::span<const std::uint8_t> sealed,
                                         std::span<const std::uint8_t> associated_data);

// KDF(S) of the outer layer: BLAKE2b-256("hashveil/kdf/outer" || S). Client and server compute
// the same S = beta*P_w + gamma*L = alpha*Q exactly when the probe key matches slot w.
AeadKey DeriveKeyFromPoint(const Point& shared);

// adkey = BLAKE2b-256("hashveil/kdf/adkey" || f(0)): the inner AEAD key from the Shamir secret
// (a scalar, not a key).
AeadKey DeriveKeyFromScalar(const Scalar& secret);

// PRF(key, domain, input) = BLAKE2b(key = key, len(domain) || domain || input) with an output
// of out.size() bytes. Precondition: 16 <= out.size() <= 64, domain.size() < 256.
void Prf(const PrfKey& key, std::string_view domain, std::span<const std::uint8_t> input,
         std::span<std::uint8_t> out);

}  // namespace hashveil::psi
