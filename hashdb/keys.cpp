#include "hashveil/hashdb/keys.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "hashveil/common/secret_file.h"
#include "le_codec.h"

namespace hashveil::hashdb {
namespace {

static_assert(kPublisherPublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kPublisherSecretKeyBytes == crypto_sign_SECRETKEYBYTES);
static_assert(kSignatureBytes == crypto_sign_BYTES);

// Every key file: 4-byte magic, u32 format version, then the key bytes (docs/file-formats.md).
constexpr std::uint32_t kKeyFileVersion = 1;
constexpr std::size_t kKeyFilePrefixBytes = 8;
constexpr std::array<std::uint8_t, 4> kServerSecretMagic = {'H', 'V', 'S', 'K'};
constexpr std::array<std::uint8_t, 4> kPublisherSecretMagic = {'H', 'V', 'P', 'K'};
constexpr std::array<std::uint8_t, 4> kPublisherPublicMagic = {'H', 'V', 'P', 'P'};

void PutPrefix(const std::array<std::uint8_t, 4>& magic, std::uint8_t* out) {
  std::copy(magic.begin(), magic.end(), out);
  for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<std::uint8_t>(kKeyFileVersion >> (8 * i));
}

// `role` names the file in messages ("server secret file"), never its path.
Status CheckPrefix(std::span<const std::uint8_t> file, const std::array<std::uint8_t, 4>& magic,
                   const char* role) {
  LeReader reader(file);
  const auto found_magic = reader.Array<4>();
  const std::uint32_t version = reader.U32();
  if (!reader.ok() || found_magic != magic) {
    return Status::InvalidInput(std::string(role) + " has the wrong magic (another kind of file?)");
  }
  if (version != kKeyFileVersion) {
    return Status::InvalidInput(std::string(role) + " has unsupported version " +
                                std::to_string(version));
  }
  return Status::Ok();
}

}  // namespace

ServerSecret GenerateServerSecret(RandomSource& random) {
  ServerSecret secret;
  do {
    secret.alpha = psi::Scalar::Random(random);
  } while (secret.alpha.IsZero());
  return secret;
}

PublisherKeyPair GeneratePublisherKeys(RandomSource& random) {
  SecretArray<crypto_sign_SEEDBYTES> seed;
  random.Fill(seed.span());
  PublisherKeyPair keys;
  crypto_sign_seed_keypair(keys.public_key.data(), keys.secret_key.data(), seed.data());
  return keys;
}

Status SaveServerSecret(const ServerSecret& secret, const std::filesystem::path& path) {
  SecretArray<kKeyFilePrefixBytes + psi::kScalarBytes> file;
  PutPrefix(kServerSecretMagic, file.data());
  std::memcpy(file.data() + kKeyFilePrefixBytes, secret.alpha.bytes().data(), psi::kScalarBytes);
  return WriteSecretFile(path, file.span());
}

Result<ServerSecret> LoadServerSecret(const std::filesystem::path& path) {
  HV_ASSIGN_OR_RETURN(SecretBytes file,
                      ReadSecretFile(path, kKeyFilePrefixBytes + psi::kScalarBytes));
  HV_RETURN_IF_ERROR(CheckPrefix(file.span(), kServerSecretMagic, "server secret file"));
  auto alpha = psi::Scalar::FromCanonicalBytes(
      file.span().subspan(kKeyFilePrefixBytes).first<psi::kScalarBytes>());
  if (!alpha.ok() || alpha->IsZero()) {
    return Status::Corrupt("server secret file holds a non-canonical or zero scalar");
  }
  return ServerSecret{std::move(alpha).value()};
}

Status SavePublisherKeys(const PublisherKeyPair& keys, const std::filesystem::path& secret_path,
                         const std::filesystem::path& public_path) {
  SecretArray<kKeyFilePrefixBytes + kPublisherSecretKeyBytes> secret_file;
  PutPrefix(kPublisherSecretMagic, secret_file.data());
  std::memcpy(secret_file.data() + kKeyFilePrefixBytes, keys.secret_key.data(),
              kPublisherSecretKeyBytes);
  std::array<std::uint8_t, kKeyFilePrefixBytes + kPublisherPublicKeyBytes> public_file{};
  PutPrefix(kPublisherPublicMagic, public_file.data());
  std::copy(keys.public_key.begin(), keys.public_key.end(),
            public_file.begin() + kKeyFilePrefixBytes);
  // The public key first: if the secret file then cannot be written, nothing secret is lost
  // and the stray public file is harmless.
  std::error_code ec;
  if (std::filesystem::exists(public_path, ec)) {
    return Status::FailedPrecondition("refusing to overwrite an existing public key file");
  }
  HV_RETURN_IF_ERROR(WriteFileAtomically(public_path, public_file));
  return WriteSecretFile(secret_path, secret_file.span());
}

Result<PublisherKeyPair> LoadPublisherKeys(const std::filesystem::path& secret_path) {
  HV_ASSIGN_OR_RETURN(SecretBytes file,
                      ReadSecretFile(secret_path, kKeyFilePrefixBytes + kPublisherSecretKeyBytes));
  HV_RETURN_IF_ERROR(CheckPrefix(file.span(), kPublisherSecretMagic, "publisher key file"));
  PublisherKeyPair keys;
  std::memcpy(keys.secret_key.data(), file.data() + kKeyFilePrefixBytes, kPublisherSecretKeyBytes);
  // libsodium's secret key is seed || public key: re-derive both from the seed and compare, so a
  // file whose halves were swapped or damaged is caught here rather than as bad signatures.
  SecretArray<crypto_sign_SEEDBYTES> seed;
  crypto_sign_ed25519_sk_to_seed(seed.data(), keys.secret_key.data());
  SecretArray<kPublisherSecretKeyBytes> derived;
  crypto_sign_seed_keypair(keys.public_key.data(), derived.data(), seed.data());
  if (!ConstantTimeEqual(derived.span(), keys.secret_key.span())) {
    return Status::Corrupt("publisher key file: the public half does not match the secret half");
  }
  return keys;
}

Result<PublisherPublicKey> LoadPublisherPublicKey(const std::filesystem::path& public_path) {
  constexpr std::size_t kFileBytes = kKeyFilePrefixBytes + kPublisherPublicKeyBytes;
  // Read a little more than expected so a longer file is named as the wrong size.
  HV_ASSIGN_OR_RETURN(std::vector<std::uint8_t> file, ReadFileBytes(public_path, 4096));
  if (file.size() != kFileBytes) {
    return Status::InvalidInput("publisher public key file has " + std::to_string(file.size()) +
                                " bytes, expected " + std::to_string(kFileBytes));
  }
  HV_RETURN_IF_ERROR(CheckPrefix(file, kPublisherPublicMagic, "publisher public key file"));
  PublisherPublicKey key{};
  std::copy(file.begin() + kKeyFilePrefixBytes, file.end(), key.begin());
  return key;
}

}  // namespace hashveil::hashdb
