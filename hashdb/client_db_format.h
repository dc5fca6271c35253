// The .hvdb byte layout shared by the writer and the loader (docs/file-formats.md):
//   header (kClientDbHeaderBytes) | cell_count points of 32 bytes | BLAKE2b-256 digest of all
//   that precedes it | Ed25519 signature of kClientDbSignatureContext || digest.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/client_db.h"

namespace hashveil::hashdb {

inline constexpr std::array<std::uint8_t, 4> kClientDbMagic = {'H', 'V', 'D', 'B'};
// Version 3: one table of 3-cell entries (an OKVS) instead of the cuckoo table's slots. Version 2
// (the filler seed's commitment, a signed expiry, a signature context) and version 1 files are
// refused as unsupported, never read as version 3.
inline constexpr std::uint32_t kClientDbFormatVersion = 3;
inline constexpr std::size_t kClientDbHeaderBytes = 196;
inline constexpr std::size_t kClientDbTrailerBytes = sizeof(Digest) + kSignatureBytes;

std::vector<std::uint8_t> EncodeClientDbHeader(const ClientDbParams& params);

// Parses and checks a header: kCorrupt for a short header or wrong magic, kUnsupported for
// another format version, kCorrupt naming the first parameter out of range.
Result<ClientDbParams> DecodeClientDbHeader(std::span<const std::uint8_t> header);

// The file size a DB of `cell_count` cells must have, or 0 if that overflows.
std::uint64_t ClientDbFileBytes(std::uint64_t cell_count);

// BLAKE2b-256 over the header and the points.
Digest ComputeClientDbDigest(std::span<const std::uint8_t> header_and_points);

// What the publisher signs: the context string, then the digest. The context keeps a signature
// the publisher key makes for anything else (a bare digest, another hashveil object) from
// passing as a client DB's.
inline constexpr std::string_view kClientDbSignatureContext = "hashveil/client-db/v3";
std::vector<std::uint8_t> ClientDbSignedMessage(const Digest& digest);

}  // namespace hashveil::hashdb
