#include "account_state_codec.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "little_endian.h"

namespace hashveil::psi::account_state_codec {
namespace {

constexpr std::size_t kHeaderBytes = 12;  // t, s, n
constexpr std::array<std::uint8_t, 8> kExportMagic = {'H', 'V', 'A', 'C', 'C', 'T', 'X', '1'};
constexpr std::uint8_t kKeyKindTransportKey = 1;
constexpr std::uint8_t kKeyKindPassphrase = 2;
constexpr std::size_t kSaltBytes = crypto_pwhash_SALTBYTES;
constexpr std::size_t kPassphraseHeaderBytes = kExportMagic.size() + 1 + kSaltBytes + 8 + 8;

std::size_t SerializedSize(std::uint32_t t, std::uint32_t s, std::size_t n) {
  return kHeaderBytes + kPrfKeyBytes + kScalarBytes * std::size_t{t} +
         8 * std::size_t{s} * (t - 1) + kBaseKeyTagBytes * n;
}

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

Status CheckParameters(std::uint32_t t, std::uint32_t s, const AccountParameters& params) {
  if (t != params.threshold || s != params.synthetic_max) {
    return Status::FailedPrecondition(
        "account state was made for threshold " + std::to_string(t) + " and synthetic maximum " +
        std::to_string(s) + ", the DB has " + std::to_string(params.threshold) + " and " +
        std::to_string(params.synthetic_max));
  }
  return Status::Ok();
}

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

Result<Contents> Generate(const AccountParameters& params, RandomSource& random) {
  HV_ASSIGN_OR_RETURN(ShamirPolynomial polynomial,
                      ShamirPolynomial::Random(params.threshold, random));
  HV_ASSIGN_OR_RETURN(DetectableHashKey hkey, DetectableHashKey::Random(
                                                  params.threshold, params.synthetic_max, random));
  Contents contents{PrfKey(), std::move(polynomial), std::move(hkey), {}};
  random.Fill(contents.fkey.span());
  return contents;
}

SecretBytes Serialize(const Contents& contents) {
  const std::uint32_t t = contents.threshold();
  const std::uint32_t s = contents.synthetic_max();
  SecretBytes bytes(SerializedSize(t, s, contents.synthetic_images.size()));
  Writer writer(bytes.span());
  writer.U32(t);
  writer.U32(s);
  writer.U32(static_cast<std::uint32_t>(contents.synthetic_images.size()));
  writer.Bytes(contents.fkey.span());
  for (const Scalar& c : contents.polynomial.coefficients()) writer.Bytes(c.bytes());
  for (FieldElement c : contents.hkey.coefficients()) writer.U64(c);
  for (const BaseKeyTag& tag : contents.synthetic_images) writer.Bytes(tag);
  return bytes;
}

Result<Contents> Parse(std::span<const std::uint8_t> bytes, const AccountParameters& params) {
  if (bytes.size() < kHeaderBytes) return Status::Corrupt("account state is truncated");
  Reader reader(bytes);
  const std::uint32_t t = reader.U32();
  const std::uint32_t s = reader.U32();
  const std::uint32_t n = reader.U32();
  if (t < 2 || t > kMaxThreshold || s > kMaxSyntheticTags || n > s) {
    return Status::Corrupt("account state has out-of-range parameters");
  }
  if (bytes.size() != SerializedSize(t, s, n)) {
    return Status::Corrupt("account state has the wrong length");
  }
  HV_RETURN_IF_ERROR(CheckParameters(t, s, params));
  PrfKey fkey;
  const auto fkey_bytes = reader.Bytes<kPrfKeyBytes>();
  std::copy(fkey_bytes.begin(), fkey_bytes.end(), fkey.data());
  std::vector<Scalar> coefficients;
  coefficients.reserve(t);
  for (std::uint32_t i = 0; i < t; ++i) {
    auto scalar = Scalar::FromCanonicalBytes(reader.Bytes<kScalarBytes>());
    if (!scalar.ok()) return Status::Corrupt("account state holds a non-canonical scalar");
    coefficients.push_back(std::move(scalar).value());
  }
  auto polynomial = ShamirPolynomial::FromCoefficients(std::move(coefficients));
  if (!polynomial.ok()) return Status::Corrupt("account state holds an invalid polynomial");
  std::vector<FieldElement> hkey_coefficients(std::size_t{s} * (t - 1));
  for (FieldElement& c : hkey_coefficients) c = reader.U64();
  auto hkey = DetectableHashKey::FromCoefficients(t, s, std::move(hkey_coefficients));
  if (!hkey.ok()) return Status::Corrupt("account state holds an invalid detectable hash key");
  std::vector<BaseKeyTag> synthetic_images(n);
  for (BaseKeyTag& tag : synthetic_images) {
    const auto tag_bytes = reader.Bytes<kBaseKeyTagBytes>();
    std::copy(tag_bytes.begin(), tag_bytes.end(), tag.begin());
  }
  return Contents{std::move(fkey), std::move(polynomial).value(), std::move(hkey).value(),
                  std::move(synthetic_images)};
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
  StoreLittleEndian<std::uint64_t>(crypto_pwhash_OPSLIMIT_INTERACTIVE, salt + kSaltBytes);
  StoreLittleEndian<std::uint64_t>(crypto_pwhash_MEMLIMIT_INTERACTIVE, salt + kSaltBytes + 8);
  HV_ASSIGN_OR_RETURN(AeadKey key, StretchPassphrase(passphrase,
                                                     std::span<const std::uint8_t, kSaltBytes>(
                                                         salt, kSaltBytes),
                                                     crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                     crypto_pwhash_MEMLIMIT_INTERACTIVE));
  const std::vector<std::uint8_t> sealed = Seal(key, Serialize(contents).span(), blob, random);
  blob.insert(blob.end(), sealed.begin(), sealed.end());
  return blob;
}

namespace {

// Checks the magic and key kind; returns the header length (the sealed part follows it).
Result<std::size_t> ExportHeaderLength(std::span<const std::uint8_t> blob,
                                       std::uint8_t expected_kind) {
  if (blob.size() < kExportMagic.size() + 1 ||
      !std::equal(kExportMagic.begin(), kExportMagic.end(), blob.begin())) {
    return Status::Corrupt("not an account export");
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
                            const AeadKey& key, const AccountParameters& params) {
  auto plaintext = Open(key, blob.subspan(header_length), blob.first(header_length));
  if (!plaintext.ok()) return Status::Corrupt("account export does not open with this key");
  return Parse(plaintext->span(), params);
}

}  // namespace

Result<Contents> ImportWithKey(std::span<const std::uint8_t> blob, const AccountStateKey& key,
                               const AccountParameters& params) {
  HV_ASSIGN_OR_RETURN(const std::size_t header_length,
                      ExportHeaderLength(blob, kKeyKindTransportKey));
  return OpenExport(blob, header_length, key, params);
}

Result<Contents> ImportWithPassphrase(std::span<const std::uint8_t> blob,
                                      std::string_view passphrase,
                                      const AccountParameters& params) {
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
  return OpenExport(blob, header_length, key, params);
}

}  // namespace hashveil::psi::account_state_codec
