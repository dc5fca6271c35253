// The auditor's proof of a published client DB (docs/design.md section 6), file client.hvdb.proof.
//
// It lists every key the DB's table encodes, with the value V_i the table must decode it to, and
// proves, without revealing alpha, that each V_i = alpha*H(key_i) for the same alpha as the DB's
// public point L = alpha*G: a batched Chaum-Pedersen (DLEQ) proof. With Fiat-Shamir weights z_i
// (hashes of the whole statement), A = sum z_i H(x_i) and B = sum z_i V_i; the prover shows
// log_G(L) = log_A(B). A value that is not alpha*H(x_i) makes B != alpha*A except with
// probability ~1/l. That the table is exactly the one these keys, values and the filler seed
// solve to is AuditClientDb's to check (docs/protocol.md section 5.5).
//
// The key list tells which match keys are in the DB. It is for auditors, who hold the source
// lists anyway; it must never ship to devices. Nor must the filler seed it carries: with it, a
// device could recompute the free cells and learn which keys the table encodes.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/status.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/hashdb/source_store.h"
#include "hashveil/matcher/match_keys.h"

namespace hashveil::hashdb {

struct DbProof {
  Digest db_digest{};  // the DB this proof is about
  // The seed of the DB's free cells; the DB header holds only CommitToFillerSeed(filler_seed).
  psi::FillerSeed filler_seed{};
  std::vector<matcher::MatchKey> keys;  // every key the table encodes, strictly ascending
  std::vector<psi::Point> values;       // values[i] = alpha*H(keys[i]), what the table decodes
  std::array<std::uint8_t, psi::kScalarBytes> challenge{};  // c
  std::array<std::uint8_t, psi::kScalarBytes> response{};   // s = r + c*alpha
};

inline constexpr const char* kFillerSeedMismatch =
    "the proof's filler seed does not match the DB header's commitment";

// Proves that values[i] = alpha*H(keys[i]) for the DB with `db_digest`, whose free cells derive
// from `filler_seed` (carried in the proof for the auditor). The prover does not check the
// values: a wrong one gives a proof that does not verify. `random` draws the commitment nonce;
// `threads` (0: all) share the work. `key_points`, if not empty, are the keys' H(key) already
// computed (by the builder), saving one hash to the group per key; they must match `keys` one to
// one. kInvalidInput if the keys are empty or not strictly ascending, or values or key_points
// have another length.
Result<DbProof> ProveDb(const Digest& db_digest, const psi::DbNonce& db_nonce,
                        const psi::FillerSeed& filler_seed, std::vector<matcher::MatchKey> keys,
                        std::vector<psi::Point> values, const ServerSecret& secret,
                        RandomSource& random, unsigned threads, const ProgressCallback& progress,
                        std::span<const psi::Point> key_points = {});

// Checks the proof against a loaded DB: same digest, a filler seed that opens the header's
// commitment (kFillerSeedMismatch), keys strictly ascending, one value per key, each a valid
// point, and the DLEQ relation for the DB's L. kCorrupt naming what fails (by index, never by
// key). The table itself is AuditClientDb's to recompute.
Status VerifyDbProof(const ClientDb& db, const DbProof& proof, unsigned threads,
                     const ProgressCallback& progress);

// The file (docs/file-formats.md), written 0600. Save fails with kFailedPrecondition when `path`
// exists and `overwrite` is false (checked atomically), else only on I/O errors (kIoError); Load
// returns kNotFound, kIoError, kUnsupported (any version but 3) or kCorrupt (magic, sizes).
Status SaveDbProof(const DbProof& proof, const std::filesystem::path& path, bool overwrite = true);
Result<DbProof> LoadDbProof(const std::filesystem::path& path);

}  // namespace hashveil::hashdb
