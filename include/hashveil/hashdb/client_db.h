// The signed client DB (.hvdb) that ships to devices: the blinded table (a 3-cell garbled cuckoo
// table, docs/protocol.md section 5) and every parameter both sides must agree on
// (docs/design.md sections 5 and 6; byte layout in docs/file-formats.md).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/matcher/match_keys.h"
#include "hashveil/psi/group.h"
#include "hashveil/psi/key_hashing.h"

namespace hashveil::hashdb {

using Digest = std::array<std::uint8_t, 32>;  // BLAKE2b-256

// BLAKE2b-256 of the filler seed under its own domain (docs/protocol.md, "The client DB"). Devices
// get only this; the seed goes to auditors in the proof file. The seed is 32 random bytes, so the
// commitment hides it, and BLAKE2b's collision resistance binds the publisher to one seed.
using FillerSeedCommitment = std::array<std::uint8_t, 32>;
FillerSeedCommitment CommitToFillerSeed(const psi::FillerSeed& seed);

// The inclusion policy the DB was built with, recorded so auditors can recompute the set.
struct InclusionPolicy {
  std::uint32_t min_quality = 50;
  std::uint32_t min_sources = 2;
  bool distinct_jurisdictions = true;
  std::uint32_t merge_distance = 31;  // hashes within this distance are the same image
  friend bool operator==(const InclusionPolicy&, const InclusionPolicy&) = default;
};

struct ClientDbParams {
  // 4 for what this build writes; a loaded version-3 file says 3 (docs/file-formats.md).
  std::uint32_t format_version = 4;
  // Its revision is signed in version 4; version 3 files load as revision 1, the rules they
  // were built with. Devices probe, and auditors recompute keys, by this scheme.
  matcher::KeyScheme key_scheme;
  std::uint64_t cell_count = 0;           // m, a multiple of 3
  std::uint32_t okvs_attempt = 0;         // the attempt whose cells the table was solved for
  std::uint64_t entry_count = 0;          // hashes included
  std::uint64_t key_count = 0;            // distinct base keys, every one in the table
  std::uint32_t threshold = 0;            // t
  std::uint32_t synthetic_rate_ppm = 0;   // p_syn in parts per million
  std::uint32_t synthetic_max = 0;        // s_max
  std::uint64_t epoch = 0;                // identifies this DB; vouchers carry it
  // Unix seconds after which devices stop using this DB (CheckClientDbFresh). Signed, never 0.
  std::uint64_t expires_at = 0;
  psi::DbNonce db_nonce{};
  // CommitToFillerSeed(seed) of the seed the fillers derive from; the seed is in the proof file.
  FillerSeedCommitment filler_seed_commitment{};
  psi::Point public_point;                // L = alpha*G
  InclusionPolicy policy;
};

// A loaded, verified client DB. Immutable and thread-safe after Load.
class ClientDb {
 public:
  // Maps the file and checks, before anything else reads it: magic, version, that sizes in the
  // header match the file length, the digest, the Ed25519 signature by `publisher` (of the
  // context string "hashveil/client-db/v3" followed by the digest), and that every cell is a
  // valid non-identity point and all are pairwise distinct. It does not check the expiry.
  // Errors: kNotFound, kIoError, kUnsupported (any version but 3 and 4, e.g. a version-2
  // file), kCorrupt (anything else, named, e.g. a key scheme revision this build does not know).
  static Result<std::unique_ptr<ClientDb>> Load(const std::filesystem::path& path,
                                                const PublisherPublicKey& publisher);
  // Load for a device that ran the point checks on this file before: after the digest and the
  // signature, `points_checked_before(digest)` is asked, and when it says yes the per-point
  // checks (seconds on a 1M-entry DB) are skipped: the digest pins every point byte. It must
  // say yes only for a digest whose points it saw pass (Scanner keeps a MAC'd marker beside the
  // account state: docs/api.md, "Start-up").
  static Result<std::unique_ptr<ClientDb>> Load(
      const std::filesystem::path& path, const PublisherPublicKey& publisher,
      const std::function<bool(const Digest&)>& points_checked_before);
  // Every check of Load except the signature. For `db info` and for auditors who compare the
  // digest with the published one out of band; never for devices, which must call Load.
  static Result<std::unique_ptr<ClientDb>> LoadIgnoringSignature(
      const std::filesystem::path& path);
  virtual ~ClientDb() = default;

  virtual const ClientDbParams& params() const = 0;
  // Cell i's point, i < params().cell_count.
  virtual psi::Point cell(std::uint64_t index) const = 0;
  // What `key` decodes to: the sum of its 3 cells (psi::OkvsCells), alpha*H(key) when the key is
  // in the DB, a point unrelated to it otherwise. kCorrupt only for a DB whose cells were not
  // checked and are not valid points, or whose sum is the identity (never for a built DB).
  Result<psi::Element> ProbeValue(const matcher::MatchKey& key) const;
  // BLAKE2b-256 over the header and points (the signature signs it under a context string).
  virtual const Digest& digest() const = 0;
};

// Whether a device may still use the DB at `now_unix_seconds`: kFailedPrecondition "client DB has
// expired" from params.expires_at on. Load does not check it (the server keeps serving and
// opening older epochs); devices call it after Load with their clock, so a DB withheld from
// them stops being used at its expiry. The rollback floor (the highest epoch a device has seen)
// is the device's to keep.
Status CheckClientDbFresh(const ClientDbParams& params, std::uint64_t now_unix_seconds);

}  // namespace hashveil::hashdb
