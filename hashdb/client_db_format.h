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
// Version 4: the key scheme's revision (u32 at offset 28, after the seed; every later field moves
// by 4 bytes), so every device probes by the rules the DB's audit measured. Version 3 (one table
// of 3-cell entries, an OKVS) is still read, as revision 1: the rules it was built with. Version
// 2 (a cuckoo table of slots) and version 1 files are refused as unsupported, never misread.
inline constexpr std::uint32_t kClientDbFormatVersion = 4;
inline constexpr std::uint32_t kOldestReadableClientDbFormat = 3;
inline constexpr std::size_t kClientDbTrailerBytes = sizeof(Digest) + kSignatureBytes;

// 196 bytes for version 3, 200 for version 4. Precondition: a readable version.
constexpr std::size_t ClientDbHeaderBytes(std::uint32_t format_version) {
  return format_version == 3 ? 196 : 200;
}

// The header of the current format (kClientDbFormatVersion, whatever params.format_version says:
// the caller checks it).
std::vector<std::uint8_t> EncodeClientDbHeader(const ClientDbParams& params);

// Parses and checks a header of version 3 or 4: kCorrupt for a short header or wrong magic,
// kUnsupported for any other format version, kCorrupt naming the first parameter out of range
// (a version-4 revision outside KeyScheme's range included).
Result<ClientDbParams> DecodeClientDbHeader(std::span<const std::uint8_t> header);

// The file size a DB of `cell_count` cells in `format_version` must have, or 0 if that
// overflows. Precondition: a readable version.
std::uint64_t ClientDbFileBytes(std::uint64_t cell_count,
                                std::uint32_t format_version = kClientDbFormatVersion);

// BLAKE2b-256 over the header and the points.
Digest ComputeClientDbDigest(std::span<const std::uint8_t> header_and_points);

// What the publisher signs: the context string, then the digest. The context keeps a signature
// the publisher key makes for anything else (a bare digest, another hashveil object) from
// passing as a client DB's. Version 4 keeps version 3's context: the version is in the signed
// header, so a file of one version never verifies as the other.
inline constexpr std::string_view kClientDbSignatureContext = "hashveil/client-db/v3";
std::vector<std::uint8_t> ClientDbSignedMessage(const Digest& digest);

}  // namespace hashveil::hashdb
