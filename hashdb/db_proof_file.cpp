// The auditor proof's file (docs/file-formats.md, "Auditor proof").
#include "hashveil/common/secret_file.h"
#include "hashveil/hashdb/db_proof.h"
#include "le_codec.h"

namespace hashveil::hashdb {
namespace {

constexpr std::array<std::uint8_t, 4> kProofMagic = {'H', 'V', 'P', 'F'};
// Version 3 lists each key with the value the OKVS table decodes it to; version 2 listed the
// cuckoo slot of each key, and is refused (a version-2 proof's table is not one this build
// reads).
constexpr std::uint32_t kProofFormatVersion = 3;
constexpr std::size_t kProofHeaderBytes = 4 + 4 + sizeof(Digest) + psi::kFillerSeedBytes + 8;
constexpr std::size_t kProvenKeyBytes = std::tuple_size_v<matcher::MatchKey> + psi::kPointBytes;
constexpr std::size_t kProofTrailerBytes = 2 * psi::kScalarBytes;
// One key per cell at most; 2^32 cells is far beyond any DB we build.
constexpr std::uint64_t kMaxProofBytes =
    kProofHeaderBytes + (std::uint64_t{1} << 32) * kProvenKeyBytes + kProofTrailerBytes;

}  // namespace

Status SaveDbProof(const DbProof& proof, const std::filesystem::path& path, bool overwrite) {
  if (proof.values.size() != proof.keys.size()) {
    return Status::InvalidInput("the proof's values do not match its keys one to one");
  }
  LeWriter w;
  w.Bytes(kProofMagic);
  w.U32(kProofFormatVersion);
  w.Bytes(proof.db_digest);
  w.Bytes(proof.filler_seed);
  w.U64(proof.keys.size());
  for (std::size_t i = 0; i < proof.keys.size(); ++i) {
    w.Bytes(proof.keys[i]);
    w.Bytes(proof.values[i].bytes);
  }
  w.Bytes(proof.challenge);
  w.Bytes(proof.response);
  // Owner-only like the keys: the proof lists every published match key.
  return WriteSecretFile(path, w.bytes(), overwrite).WithContext("writing DB proof");
}

Result<DbProof> LoadDbProof(const std::filesystem::path& path) {
  HV_ASSIGN_OR_RETURN(std::vector<std::uint8_t> file, ReadFileBytes(path, kMaxProofBytes));
  LeReader r(file);
  if (r.Array<4>() != kProofMagic || !r.ok()) {
    return Status::Corrupt("not a DB proof (wrong magic)");
  }
  const std::uint32_t version = r.U32();
  if (!r.ok()) return Status::Corrupt("DB proof truncated");
  if (version != kProofFormatVersion) {
    return Status::Unsupported("unsupported DB proof version " + std::to_string(version) +
                               " (this build reads version " +
                               std::to_string(kProofFormatVersion) + " only)");
  }
  DbProof proof;
  proof.db_digest = r.Array<sizeof(Digest)>();
  proof.filler_seed = r.Array<psi::kFillerSeedBytes>();
  const std::uint64_t count = r.U64();
  // The declared count must account for the file's length exactly, before any allocation.
  if (!r.ok() || r.remaining() < kProofTrailerBytes ||
      (r.remaining() - kProofTrailerBytes) % kProvenKeyBytes != 0 ||
      count != (r.remaining() - kProofTrailerBytes) / kProvenKeyBytes) {
    return Status::Corrupt("DB proof length does not match its key count");
  }
  proof.keys.resize(count);
  proof.values.resize(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    proof.keys[i] = r.Array<std::tuple_size_v<matcher::MatchKey>>();
    proof.values[i].bytes = r.Array<psi::kPointBytes>();
  }
  proof.challenge = r.Array<psi::kScalarBytes>();
  proof.response = r.Array<psi::kScalarBytes>();
  if (!r.ok() || r.remaining() != 0) {
    return Status::Internal("DB proof parse overran its size check");
  }
  return proof;
}

}  // namespace hashveil::hashdb
