// The safety voucher's wire format (docs/design.md section 5; byte layout in docs/file-formats.md).
//
// A voucher is one fixed-size byte string per image:
//   header   version (1) || DB epoch (u64) || voucher id (16) || outer entry count (u32)
//   outer    entry_count (= P, one per probe) x
//              (Q (32) || SealWithSingleUseKey(KDF(S), rkey || tag || share x || share y))
//   middle   Seal(rkey, adct)
//   inner    adct = Seal(adkey, payload), inside the middle layer
// Each entry carries the share and tag of its own probe key (protocol v2): an entry opens only
// when its key is a DB key, so what the server counts is distinct DB keys.
// Every ciphertext has VoucherAssociatedData as associated data: the header, the account the
// voucher is filed under and the digest of the DB it was made against. So no layer can be moved
// to another voucher, and a voucher filed under another account (or checked against another DB)
// opens nothing. Its size depends only on the DB's parameters (P entries, s tag values),
// never on the image or on whether it matched or was made synthetic.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/matcher/pdq_hash.h"
#include "hashveil/matcher/visual_derivative.h"

namespace hashveil::psi {

// Version 3 (protocol v2): one entry per probe, each with its key's share and tag. Version 2
// (one share per voucher, from the image's base key) is refused as unsupported.
inline constexpr std::uint8_t kVoucherVersion = 3;
inline constexpr std::size_t kVoucherIdBytes = 16;
inline constexpr std::size_t kVoucherHeaderBytes = 1 + 8 + kVoucherIdBytes + 4;
// Caller metadata travels in the payload, zero-padded to this length.
inline constexpr std::size_t kMaxVoucherMetadataBytes = 256;
// The payload: PDQ hash (32) || quality (1) || derivative || metadata length (u16) || metadata.
inline constexpr std::size_t kVoucherPayloadBytes =
    32 + 1 + matcher::kVisualDerivativeBytes + 2 + kMaxVoucherMetadataBytes;
// Upper bound on outer entries (P) a voucher may declare, so no parser allocates from an
// unchecked size: KeyScheme::kMaxProbes.
inline constexpr std::uint32_t kMaxVoucherEntries = 4096;

using VoucherId = std::array<std::uint8_t, kVoucherIdBytes>;
using DbDigest = std::array<std::uint8_t, 32>;  // the client DB's BLAKE2b-256 digest

// What the server needs to know of the DB to read a voucher.
struct VoucherShape {
  std::uint64_t epoch = 0;
  std::uint32_t entry_count = 0;    // P
  std::uint32_t synthetic_max = 0;  // s: values per tag
  DbDigest db_digest{};             // bound into every layer's associated data

  // rkey || tag || share x || share y.
  std::size_t entry_plaintext_bytes() const;
  // Q || SealWithSingleUseKey(KDF(S), entry plaintext).
  std::size_t outer_entry_bytes() const;
  // Seal(rkey, adct).
  std::size_t middle_bytes() const;
  std::size_t total_bytes() const;
  friend bool operator==(const VoucherShape&, const VoucherShape&) = default;
};

struct VoucherHeader {
  std::uint8_t version = kVoucherVersion;
  std::uint64_t epoch = 0;
  VoucherId id{};
  std::uint32_t entry_count = 0;
};

std::array<std::uint8_t, kVoucherHeaderBytes> EncodeVoucherHeader(const VoucherHeader& header);
// Reads the header of a voucher made for `shape`. Errors, in this order: kUnsupported (a first
// byte that is not kVoucherVersion, e.g. a version-2 voucher), kCorrupt "wrong length" (the whole
// voucher is not shape.total_bytes() long), kFailedPrecondition (another DB epoch), kCorrupt
// (entry count).
Result<VoucherHeader> ParseVoucherHeader(std::span<const std::uint8_t> voucher,
                                         const VoucherShape& shape);

// 1..128 characters from [A-Za-z0-9._-], not starting with '.': account names become report
// file names on the server.
bool IsValidAccountName(std::string_view account);

// The associated data of every layer of a voucher: header || u8 account length || account ||
// DB digest. `account` is a valid account name (IsValidAccountName: at most 128 bytes).
std::vector<std::uint8_t> VoucherAssociatedData(
    std::span<const std::uint8_t, kVoucherHeaderBytes> header, std::string_view account,
    const DbDigest& db_digest);

// What the inner layer carries; only the server that crossed an account's threshold reads it.
// The hash and derivative are the user's: wiped where they are held in SecretBytes.
struct VoucherPayload {
  matcher::PdqHash hash;
  int quality = 0;  // 0..100
  matcher::VisualDerivative derivative;
  std::vector<std::uint8_t> metadata;  // at most kMaxVoucherMetadataBytes
};

// kVoucherPayloadBytes. kInvalidInput for a quality outside 0..100 or too much metadata.
Result<SecretBytes> EncodeVoucherPayload(const VoucherPayload& payload);
// kCorrupt unless `bytes` is a well-formed payload (length, quality, metadata length, padding).
Result<VoucherPayload> DecodeVoucherPayload(std::span<const std::uint8_t> bytes);

}  // namespace hashveil::psi
