#include "hashveil/psi/voucher.h"

#include <algorithm>
#include <cstring>

#include "hashveil/psi/crypto.h"
#include "hashveil/psi/detectable_hash.h"
#include "little_endian.h"
#include "voucher_layout.h"

namespace hashveil::psi {

std::size_t VoucherShape::entry_plaintext_bytes() const {
  return kAeadKeyBytes + EncodedTagSize(synthetic_max) + 2 * kScalarBytes;
}

std::size_t VoucherShape::outer_entry_bytes() const {
  return kPointBytes + entry_plaintext_bytes() + kSingleUseSealOverhead;
}

std::size_t VoucherShape::middle_bytes() const { return kInnerCiphertextBytes + kSealOverhead; }

std::size_t VoucherShape::total_bytes() const {
  return kVoucherHeaderBytes + static_cast<std::size_t>(entry_count) * outer_entry_bytes() +
         middle_bytes();
}

std::array<std::uint8_t, kVoucherHeaderBytes> EncodeVoucherHeader(const VoucherHeader& header) {
  std::array<std::uint8_t, kVoucherHeaderBytes> bytes{};
  bytes[0] = header.version;
  StoreLittleEndian(header.epoch, bytes.data() + 1);
  std::copy(header.id.begin(), header.id.end(), bytes.begin() + 9);
  StoreLittleEndian(header.entry_count, bytes.data() + 9 + kVoucherIdBytes);
  return bytes;
}

Result<VoucherHeader> ParseVoucherHeader(std::span<const std::uint8_t> voucher,
                                         const VoucherShape& shape) {
  // The version first: a voucher of another version has another length too, and is named as
  // what it is, never read as this one.
  if (!voucher.empty() && voucher[0] != kVoucherVersion) {
    return Status::Unsupported("unsupported voucher version");
  }
  if (voucher.size() != shape.total_bytes()) return Status::Corrupt("voucher has the wrong length");
  VoucherHeader header;
  header.version = voucher[0];
  header.epoch = LoadLittleEndian<std::uint64_t>(voucher.data() + 1);
  if (header.epoch != shape.epoch) {
    return Status::FailedPrecondition("voucher was made for another DB epoch");
  }
  std::copy_n(voucher.begin() + 9, kVoucherIdBytes, header.id.begin());
  header.entry_count = LoadLittleEndian<std::uint32_t>(voucher.data() + 9 + kVoucherIdBytes);
  if (header.entry_count != shape.entry_count) {
    return Status::Corrupt("voucher declares the wrong number of outer entries");
  }
  return header;
}

bool IsValidAccountName(std::string_view account) {
  if (account.empty() || account.size() > 128 || account.front() == '.') return false;
  // ASCII only, whatever the locale.
  return std::all_of(account.begin(), account.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

std::vector<std::uint8_t> VoucherAssociatedData(
    std::span<const std::uint8_t, kVoucherHeaderBytes> header, std::string_view account,
    const DbDigest& db_digest) {
  std::vector<std::uint8_t> ad(header.begin(), header.end());
  ad.reserve(header.size() + 1 + account.size() + db_digest.size());
  ad.push_back(static_cast<std::uint8_t>(account.size()));
  ad.insert(ad.end(), account.begin(), account.end());
  ad.insert(ad.end(), db_digest.begin(), db_digest.end());
  return ad;
}

namespace {
constexpr std::size_t kHashOffset = 0;
constexpr std::size_t kQualityOffset = 32;
constexpr std::size_t kDerivativeOffset = 33;
constexpr std::size_t kMetadataLengthOffset = kDerivativeOffset + matcher::kVisualDerivativeBytes;
constexpr std::size_t kMetadataOffset = kMetadataLengthOffset + 2;
static_assert(kMetadataOffset + kMaxVoucherMetadataBytes == kVoucherPayloadBytes);
}  // namespace

Result<SecretBytes> EncodeVoucherPayload(const VoucherPayload& payload) {
  if (payload.quality < 0 || payload.quality > 100) {
    return Status::InvalidInput("payload quality is outside 0..100");
  }
  if (payload.metadata.size() > kMaxVoucherMetadataBytes) {
    return Status::InvalidInput("voucher metadata is longer than " +
                                std::to_string(kMaxVoucherMetadataBytes) + " bytes");
  }
  SecretBytes bytes(kVoucherPayloadBytes);
  const auto hash = payload.hash.ToBytes();
  std::copy(hash.begin(), hash.end(), bytes.data() + kHashOffset);
  bytes.data()[kQualityOffset] = static_cast<std::uint8_t>(payload.quality);
  std::copy_n(payload.derivative.pixels.data(), matcher::kVisualDerivativeBytes,
              bytes.data() + kDerivativeOffset);
  StoreLittleEndian(static_cast<std::uint16_t>(payload.metadata.size()),
                    bytes.data() + kMetadataLengthOffset);
  std::copy(payload.metadata.begin(), payload.metadata.end(), bytes.data() + kMetadataOffset);
  return bytes;
}

Result<VoucherPayload> DecodeVoucherPayload(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != kVoucherPayloadBytes) return Status::Corrupt("payload has the wrong length");
  VoucherPayload payload;
  std::array<std::uint8_t, 32> hash{};
  std::copy_n(bytes.begin() + kHashOffset, hash.size(), hash.begin());
  payload.hash = matcher::PdqHash::FromBytes(hash);
  SecureWipe(hash.data(), hash.size());
  payload.quality = bytes[kQualityOffset];
  if (payload.quality > 100) return Status::Corrupt("payload quality is above 100");
  std::copy_n(bytes.begin() + kDerivativeOffset, matcher::kVisualDerivativeBytes,
              payload.derivative.pixels.data());
  const std::size_t metadata_length =
      LoadLittleEndian<std::uint16_t>(bytes.data() + kMetadataLengthOffset);
  if (metadata_length > kMaxVoucherMetadataBytes) {
    return Status::Corrupt("payload metadata length is out of range");
  }
  const auto metadata = bytes.subspan(kMetadataOffset, metadata_length);
  const auto padding = bytes.subspan(kMetadataOffset + metadata_length);
  if (!std::all_of(padding.begin(), padding.end(), [](std::uint8_t b) { return b == 0; })) {
    return Status::Corrupt("payload padding is not zero");
  }
  payload.metadata.assign(metadata.begin(), metadata.end());
  return payload;
}

}  // namespace hashveil::psi
