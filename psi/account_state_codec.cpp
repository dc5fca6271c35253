#include "account_state_codec.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "little_endian.h"

namespace hashveil::psi::account_state_codec {
namespace {

// root, t, s, p_syn, epoch floor, n.
constexpr std::size_t kFixedBytes = kRootBytes + 4 + 4 + 4 + 8 + 4;
constexpr std::array<std::uint8_t, 8> kExportMagic = {'H', 'V', 'A', 'C', 'C', 'T', 'X', '2'};
constexpr std::size_t kExportVersionOffset = 7;
constexpr std::string_view kGenerationDomain = "hashveil/account-generation/v2";
// Exports protect every secret of the account with a passphrase a person chose: libsodium's
// "moderate" Argon2id limits (256 MiB, about a second), not the interactive ones.
constexpr std::uint64_t kPassphraseOpsLimit = crypto_pwhash_OPSLIMIT_MODERATE;
constexpr std::uint64_t kPassphraseMemLimit = crypto_pwhash_MEMLIMIT_MODERATE;
constexpr std::uint8_t kKeyKindTransportKey = 1;
constexpr std::uint8_t kKeyKindPassphrase = 2;
constexpr std::size_t kSaltBytes = crypto_pwhash_SALTBYTES;
constexpr std::size_t kPassphraseHeaderBytes = kExportMagic.size() + 1 + kSaltBytes + 8 + 8;

std::size_t SerializedSize(std::size_t n) { return kFixedBytes + kBaseKeyTagBytes * n; }

// Sequential writer into a buffer sized in advance (so secrets are never reallocated).
class Writer {
 public:
  explicit Writer(std::span<std::uint8_t> out) : out_(out) {}
  void U32(std::uint32_t v) { StoreLittleEndian(v, Take(4)); }
  void U64(std::uint64_t v) { StoreLittleEndian(v, Take(8)); }
  void Bytes(std::span<const std::uint8_t> bytes) {
    std::copy(bytes.begin(), bytes.end(), Take(bytes.size()));
  }

 private:
  std::uint8_t* Take(std::size_t n) {
    std::uint8_t* at = out_.data() + position_;
    position_ += n;
    return at;
  }
  std::span<std::uint8_t> out_;
  std::size_t position_ = 0;
};

// Sequential reader; the caller checks the total length first.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}
  std::uint32_t U32() { return LoadLittleEndian<std::uint32_t>(Take(4)); }
  std::uint64_t U64() { return LoadLittleEndian<std::uint64_t>(Take(8)); }
  template <std::size_t N>
  std::span<const std::uint8_t, N> Bytes() {
    return std::span<const std::uint8_t, N>(Take(N), N);
  }

 private:
  const std::uint8_t* Take(std::size_t n) {
    const std::uint8_t* at = in_.data() + position_;
    position_ += n;
    return at;
  }
  std::span<const std::uint8_t> in_;
  std::size_t position_ = 0;
};

Result<AeadKey> StretchPassphrase(std::string_view passphrase,
                                  std::span<const std::uint8_t, kSaltBytes> salt,
                                  std::uint64_t opslimit, std::uint64_t memlimit) {
  AeadKey key;
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt.data(),
                    opslimit, static_cast<std::size_t>(memlimit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::ResourceExhausted("not enough memory to stretch the passphrase");
  }
  return key;
}

}  // namespace

Contents Generate(const AccountParameters& params, RandomSource& random) {
  Contents contents{.pinned = params};
  random.Fill(contents.root.span());
  return contents;
}

Result<Generation> DeriveGeneration(const Contents& contents) {
  std::array<std::uint8_t, kGenerationDomain.size() + 12> input{};
  std::copy(kGenerationDomain.begin(), kGenerationDomain.end(), input.begin());
  std::uint8_t* at = input.data() + kGenerationDomain.size();
  StoreLittleEndian(contents.pinned.threshold, at);
  StoreLittleEndian(contents.pinned.synthetic_max, at + 4);
  StoreLittleEndian(contents.pinned.synthetic_rate_ppm, at + 8);
  SecretArray<32> stream_key;
  crypto_generichash(stream_key.data(), stream_key.size(), input.data(), input.size(),
                     contents.root.data(), contents.root.size());
  const auto stream = MakeKeyedStream(stream_key.span());
  PrfKey fkey;
  stream->Fill(fkey.span());
  auto polynomial = ShamirPolynomial::Random(contents.pinned.threshold, *stream);
  auto hkey = DetectableHashKey::Random(contents.pinned.threshold, contents.pinned.synthetic_max,
                                        *stream);
  if (!polynomial.ok() || !hkey.ok()) {
    return Status::Internal("deriving the account's secrets failed");
  }
  return Generation{std::move(fkey), std::move(polynomial).value(), std::move(hkey).value()};
}

SecretBytes Serialize(const Contents& contents) {
  SecretBytes bytes(SerializedSize(contents.synthetic_images.size()));
  Writer writer(bytes.span());
  writer.Bytes(contents.root.span());
  writer.U32(contents.pinned.threshold);
  writer.U32(contents.pinned.synthetic_max);
  writer.U32(contents.pinned.synthetic_rate_ppm);
  writer.U64(contents.epoch_floor);
  writer.U32(static_cast<std::uint32_t>(contents.synthetic_images.size()));
  for (const BaseKeyTag& tag : contents.synthetic_images) writer.Bytes(tag);
  return bytes;
}

Result<Contents> Parse(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kFixedBytes) return Status::Corrupt("account state is truncated");
  Reader reader(bytes);
  Contents contents;
  const auto root = reader.Bytes<kRootBytes>();
  std::copy(root.begin(), root.end(), contents.root.data());
  contents.pinned.threshold = reader.U32();
  contents.pinned.synthetic_max = reader.U32();
  contents.pinned.synthetic_rate_ppm = reader.U32();
  contents.epoch_floor = reader.U64();
  const std::uint32_t n = reader.U32();
  if (!contents.pinned.Validate().ok() || n > contents.pinned.synthetic_max) {
    return Status::Corrupt("account state has out-of-range parameters");
  }
  if (bytes.size() != SerializedSize(n)) {
    return Status::Corrupt("account state has the wrong length");
  }
  contents.synthetic_images.resize(n);
  for (BaseKeyTag& tag : contents.synthetic_images) {
    const auto tag_bytes = reader.Bytes<kBaseKeyTagBytes>();
    std::copy(tag_bytes.begin(), tag_bytes.end(), tag.begin());
  }
  return contents;
}

std::vector<std::uint8_t> ExportWithKey(const Contents& contents, const AccountStateKey& key,
                                        RandomSource& random) {
  std::vector<std::uint8_t> blob(kExportMagic.begin(), kExportMagic.end());
  blob.push_back(kKeyKindTransportKey);
  const std::vector<std::uint8_t> sealed = Seal(key, Serialize(contents).span(), blob, random);
  blob.insert(blob.end(), sealed.begin(), sealed.end());
  return blob;
}

Result<std::vector<std::uint8_t>> ExportWithPassphrase(const Contents& contents,
                                                       std::string_view passphrase,
                                                       RandomSource& random) {
  std::vector<std::uint8_t> blob(kPassphraseHeaderBytes);
  std::copy(kExportMagic.begin(), kExportMagic.end(), blob.begin());
  blob[kExportMagic.size()] = kKeyKindPassphrase;
  std::uint8_t* salt = blob.data() + kExportMagic.size() + 1;
  random.Fill(std::span<std::uint8_t>(salt, kSaltBytes));
  StoreLittleEndian<std::uint64_t>(kPassphraseOpsLimit, salt + kSaltBytes);
  StoreLittleEndian<std::uint64_t>(kPassphraseMemLimit, salt + kSaltBytes + 8);
  HV_ASSIGN_OR_RETURN(AeadKey key, StretchPassphrase(passphrase,
                                                     std::span<const std::uint8_t, kSaltBytes>(
                                                         salt, kSaltBytes),
                                                     kPassphraseOpsLimit, kPassphraseMemLimit));
  const std::vector<std::uint8_t> sealed = Seal(key, Serialize(contents).span(), blob, random);
  blob.insert(blob.end(), sealed.begin(), sealed.end());
  return blob;
}

namespace {

// Checks the magic and key kind; returns the header length (the sealed part follows it).
Result<std::size_t> ExportHeaderLength(std::span<const std::uint8_t> blob,
                                       std::uint8_t expected_kind) {
  if (blob.size() < kExportMagic.size() + 1 ||
      !std::equal(kExportMagic.begin(), kExportMagic.begin() + kExportVersionOffset,
                  blob.begin())) {
    return Status::Corrupt("not an account export");
  }
  if (blob[kExportVersionOffset] != kExportMagic[kExportVersionOffset]) {
    return Status::Unsupported("account export was made by another hashveil version");
  }
  const std::uint8_t kind = blob[kExportMagic.size()];
  if (kind != kKeyKindTransportKey && kind != kKeyKindPassphrase) {
    return Status::Unsupported("account export uses an unknown key kind");
  }
  if (kind != expected_kind) {
    return Status::InvalidInput(kind == kKeyKindPassphrase
                                    ? "account export is protected by a passphrase, not a key"
                                    : "account export is protected by a key, not a passphrase");
  }
  const std::size_t length =
      kind == kKeyKindPassphrase ? kPassphraseHeaderBytes : kExportMagic.size() + 1;
  if (blob.size() < length) return Status::Corrupt("account export is truncated");
  return length;
}

Result<Contents> OpenExport(std::span<const std::uint8_t> blob, std::size_t header_length,
                            const AeadKey& key) {
  auto plaintext = Open(key, blob.subspan(header_length), blob.first(header_length));
  if (!plaintext.ok()) return Status::Corrupt("account export does not open with this key");
  return Parse(plaintext->span());
}

}  // namespace

Result<Contents> ImportWithKey(std::span<const std::uint8_t> blob, const AccountStateKey& key) {
  HV_ASSIGN_OR_RETURN(const std::size_t header_length,
                      ExportHeaderLength(blob, kKeyKindTransportKey));
  return OpenExport(blob, header_length, key);
}

Result<Contents> ImportWithPassphrase(std::span<const std::uint8_t> blob,
                                      std::string_view passphrase) {
  HV_ASSIGN_OR_RETURN(const std::size_t header_length,
                      ExportHeaderLength(blob, kKeyKindPassphrase));
  const std::uint8_t* salt = blob.data() + kExportMagic.size() + 1;
  const std::uint64_t opslimit = LoadLittleEndian<std::uint64_t>(salt + kSaltBytes);
  const std::uint64_t memlimit = LoadLittleEndian<std::uint64_t>(salt + kSaltBytes + 8);
  // The limits come from the blob: bound them so an altered blob cannot demand hours or GiBs.
  if (opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
      memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE) {
    return Status::Corrupt("account export asks for out-of-range passphrase stretching");
  }
  HV_ASSIGN_OR_RETURN(AeadKey key,
                      StretchPassphrase(passphrase,
                                        std::span<const std::uint8_t, kSaltBytes>(salt, kSaltBytes),
                                        opslimit, memlimit));
  return OpenExport(blob, header_length, key);
}

}  // namespace hashveil::psi::account_state_codec
