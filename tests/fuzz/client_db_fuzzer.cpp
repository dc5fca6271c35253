// .hvdb load and verify: header decode and range checks, the size check against the cell count,
// digest, signature, then the point checks; then a device's decode of a few keys. Each input is
// loaded as it is (with and without the signature check) and once more with its digest
// recomputed, so that mutations behind the digest (header parameters, points) reach the checks
// that follow it.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "client_db_format.h"
#include "fuzz/fuzz_fixture.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"
#include "fuzz/scratch_file.h"
#include "hashveil/hashdb/client_db.h"

namespace hashveil::fuzz {
namespace {

void CheckOutcome(const Result<std::unique_ptr<hashdb::ClientDb>>& db, std::size_t file_bytes) {
  if (!db.ok()) return CheckRefusal(db.status());
  const hashdb::ClientDbParams& params = (*db)->params();
  HV_FUZZ_CHECK(hashdb::ClientDbFileBytes(params.cell_count, params.format_version) == file_bytes);
  HV_FUZZ_CHECK(params.key_scheme.Validate().ok());
  HV_FUZZ_CHECK(params.cell_count % 3 == 0 && params.key_count <= params.cell_count);
  for (std::uint64_t i = 0; i < params.cell_count; ++i) {
    HV_FUZZ_CHECK(psi::IsValidPoint((*db)->cell(i)));
  }
  // Every cell is a valid point, so a decode fails only when 3 cells sum to the identity.
  for (std::uint8_t k = 0; k < 4; ++k) {
    matcher::MatchKey key{};
    key[1] = k;
    const auto value = (*db)->ProbeValue(key);
    HV_FUZZ_CHECK(value.ok() ? !value->IsIdentity()
                             : value.status().code() == StatusCode::kCorrupt);
  }
}

void LoadClientDb(std::span<const std::uint8_t> data) {
  static const ScratchFile file("client_db");
  const FixtureDb& fixture = TheFixtureDb();
  file.Write(data);
  CheckOutcome(hashdb::ClientDb::Load(file.path(), fixture.publisher), data.size());
  CheckOutcome(hashdb::ClientDb::LoadIgnoringSignature(file.path()), data.size());

  if (data.size() < hashdb::kClientDbTrailerBytes) return;
  std::vector<std::uint8_t> redigested(data.begin(), data.end());
  const std::size_t signed_bytes = redigested.size() - hashdb::kClientDbTrailerBytes;
  const hashdb::Digest digest =
      hashdb::ComputeClientDbDigest(std::span(redigested).first(signed_bytes));
  std::copy(digest.begin(), digest.end(), redigested.begin() + static_cast<std::ptrdiff_t>(signed_bytes));
  file.Write(redigested);
  CheckOutcome(hashdb::ClientDb::LoadIgnoringSignature(file.path()), redigested.size());
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("client_db", hashveil::fuzz::LoadClientDb)
