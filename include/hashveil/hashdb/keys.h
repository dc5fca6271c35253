// The server's blinding secret alpha and the publisher's Ed25519 signing key (docs/design.md 6).
// Both live in files of mode 0600 and are wiped from memory after use.
#pragma once

#include <array>
#include <filesystem>

#include "hashveil/common/random.h"
#include "hashveil/common/secret.h"
#include "hashveil/common/status.h"
#include "hashveil/psi/group.h"

namespace hashveil::hashdb {

inline constexpr std::size_t kPublisherPublicKeyBytes = 32;  // Ed25519
inline constexpr std::size_t kPublisherSecretKeyBytes = 64;
inline constexpr std::size_t kSignatureBytes = 64;

using PublisherPublicKey = std::array<std::uint8_t, kPublisherPublicKeyBytes>;

struct PublisherKeyPair {
  PublisherPublicKey public_key{};
  SecretArray<kPublisherSecretKeyBytes> secret_key;
};

// alpha, a non-zero scalar, with its public point L = alpha*G.
struct ServerSecret {
  psi::Scalar alpha;
  psi::Point public_point() const { return psi::MulBase(alpha); }
};

ServerSecret GenerateServerSecret(RandomSource& random);
PublisherKeyPair GeneratePublisherKeys(RandomSource& random);

// Files: the secret files carry a magic and version so a swapped file is caught; written 0600,
// refusing to overwrite. Loads return kNotFound, kInvalidInput (wrong size/magic/version) or
// kCorrupt (a scalar that is not canonical or zero; a key pair whose halves do not match).
Status SaveServerSecret(const ServerSecret& secret, const std::filesystem::path& path);
Result<ServerSecret> LoadServerSecret(const std::filesystem::path& path);
Status SavePublisherKeys(const PublisherKeyPair& keys, const std::filesystem::path& secret_path,
                         const std::filesystem::path& public_path);
Result<PublisherKeyPair> LoadPublisherKeys(const std::filesystem::path& secret_path);
Result<PublisherPublicKey> LoadPublisherPublicKey(const std::filesystem::path& public_path);

}  // namespace hashveil::hashdb
