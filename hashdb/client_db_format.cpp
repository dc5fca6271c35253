#include "client_db_format.h"

#include <sodium.h>

#include <algorithm>

#include "le_codec.h"
#include "okvs.h"

namespace hashveil::hashdb {
namespace {

bool AllZero(std::span<const std::uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

Status CheckParams(const ClientDbParams& p) {
  if (Status scheme = p.key_scheme.Validate(); !scheme.ok()) {
    return Status::Corrupt("key scheme: " + scheme.message());
  }
  if (p.cell_count < 3 || p.cell_count % 3 != 0) {
    return Status::Corrupt("cell count is not a positive multiple of 3");
  }
  if (p.okvs_attempt >= kMaxOkvsAttempts) return Status::Corrupt("table attempt out of range");
  if (p.key_count == 0 || p.key_count > p.cell_count) {
    return Status::Corrupt("key count is zero or exceeds the cell count");
  }
  // The keys are the distinct base keys of the entries: at most L per entry.
  const std::uint64_t max_keys = p.entry_count * p.key_scheme.tables;
  if (p.entry_count == 0 || max_keys / p.key_scheme.tables != p.entry_count ||
      p.key_count > max_keys) {
    return Status::Corrupt("entry and key counts are inconsistent");
  }
  // t shares rebuild the key; the detectable hash needs polynomials of degree t-2 >= 0.
  if (p.threshold < 2) return Status::Corrupt("threshold below 2");
  if (p.synthetic_rate_ppm > 1'000'000) return Status::Corrupt("synthetic rate above 1");
  if (p.policy.min_quality > 100 || p.policy.merge_distance > matcher::PdqHash::kBits ||
      p.policy.min_sources == 0) {
    return Status::Corrupt("inclusion policy out of range");
  }
  if (AllZero(p.db_nonce) || AllZero(p.filler_seed_commitment)) {
    return Status::Corrupt("DB nonce or filler seed commitment is all zeros");
  }
  if (p.expires_at == 0) return Status::Corrupt("expiry time is zero");
  if (!psi::IsValidPoint(p.public_point)) return Status::Corrupt("public point is not valid");
  return Status::Ok();
}

}  // namespace

std::vector<std::uint8_t> EncodeClientDbHeader(const ClientDbParams& p) {
  LeWriter w;
  w.Bytes(kClientDbMagic);
  w.U32(kClientDbFormatVersion);
  w.U32(p.key_scheme.tables);
  w.U32(p.key_scheme.bits_per_key);
  w.U32(p.key_scheme.probes);
  w.U64(p.key_scheme.seed);
  w.U32(p.key_scheme.revision);
  w.U64(p.cell_count);
  w.U32(p.okvs_attempt);
  w.U64(p.entry_count);
  w.U64(p.key_count);
  w.U32(p.threshold);
  w.U32(p.synthetic_rate_ppm);
  w.U32(p.synthetic_max);
  w.U32(p.policy.min_quality);
  w.U32(p.policy.min_sources);
  w.U32(p.policy.distinct_jurisdictions ? 1 : 0);
  w.U32(p.policy.merge_distance);
  w.U64(p.epoch);
  w.U64(p.expires_at);
  w.Bytes(p.db_nonce);
  w.Bytes(p.filler_seed_commitment);
  w.Bytes(p.public_point.bytes);
  return std::move(w.bytes());
}

Result<ClientDbParams> DecodeClientDbHeader(std::span<const std::uint8_t> header) {
  if (header.size() < 8) return Status::Corrupt("shorter than a client DB header");
  LeReader r(header);
  if (r.Array<4>() != kClientDbMagic) return Status::Corrupt("not a client DB (wrong magic)");
  ClientDbParams p;
  p.format_version = r.U32();
  if (p.format_version < kOldestReadableClientDbFormat ||
      p.format_version > kClientDbFormatVersion) {
    return Status::Unsupported("unsupported client DB version " + std::to_string(p.format_version) +
                               " (this build reads versions " +
                               std::to_string(kOldestReadableClientDbFormat) + " and " +
                               std::to_string(kClientDbFormatVersion) + ")");
  }
  const std::size_t header_bytes = ClientDbHeaderBytes(p.format_version);
  if (header.size() < header_bytes) return Status::Corrupt("client DB header truncated");
  p.key_scheme.tables = r.U32();
  p.key_scheme.bits_per_key = r.U32();
  p.key_scheme.probes = r.U32();
  p.key_scheme.seed = r.U64();
  // Version 3 predates revisions: its keys follow revision 1's rules.
  p.key_scheme.revision = p.format_version == 3 ? matcher::KeyScheme::kFirstRevision : r.U32();
  p.cell_count = r.U64();
  p.okvs_attempt = r.U32();
  p.entry_count = r.U64();
  p.key_count = r.U64();
  p.threshold = r.U32();
  p.synthetic_rate_ppm = r.U32();
  p.synthetic_max = r.U32();
  p.policy.min_quality = r.U32();
  p.policy.min_sources = r.U32();
  const std::uint32_t distinct_jurisdictions = r.U32();
  p.policy.merge_distance = r.U32();
  p.epoch = r.U64();
  p.expires_at = r.U64();
  p.db_nonce = r.Array<psi::kDbNonceBytes>();
  p.filler_seed_commitment = r.Array<sizeof(FillerSeedCommitment)>();
  p.public_point.bytes = r.Array<psi::kPointBytes>();
  if (!r.ok() || r.offset() != header_bytes) {
    return Status::Internal("client DB header layout does not match its declared size");
  }
  if (p.key_scheme.revision < matcher::KeyScheme::kFirstRevision ||
      p.key_scheme.revision > matcher::KeyScheme::kLatestRevision) {
    return Status::Corrupt("key scheme revision " + std::to_string(p.key_scheme.revision) +
                           " is out of range (this build knows revisions " +
                           std::to_string(matcher::KeyScheme::kFirstRevision) + " to " +
                           std::to_string(matcher::KeyScheme::kLatestRevision) + ")");
  }
  if (distinct_jurisdictions > 1) return Status::Corrupt("inclusion policy flag is not 0 or 1");
  p.policy.distinct_jurisdictions = distinct_jurisdictions == 1;
  HV_RETURN_IF_ERROR(CheckParams(p));
  return p;
}

std::uint64_t ClientDbFileBytes(std::uint64_t cell_count, std::uint32_t format_version) {
  const std::uint64_t fixed = ClientDbHeaderBytes(format_version) + kClientDbTrailerBytes;
  if (cell_count > (UINT64_MAX - fixed) / psi::kPointBytes) return 0;
  return fixed + cell_count * psi::kPointBytes;
}

Digest ComputeClientDbDigest(std::span<const std::uint8_t> header_and_points) {
  Digest digest{};
  crypto_generichash(digest.data(), digest.size(), header_and_points.data(),
                     header_and_points.size(), nullptr, 0);
  return digest;
}

std::vector<std::uint8_t> ClientDbSignedMessage(const Digest& digest) {
  std::vector<std::uint8_t> message(kClientDbSignatureContext.begin(),
                                    kClientDbSignatureContext.end());
  message.insert(message.end(), digest.begin(), digest.end());
  return message;
}

}  // namespace hashveil::hashdb
