// The auditor's proof of a published client DB (docs/design.md section 6), file client.hvdb.proof.
//
// It lists every placed match key with its slot and proves, without revealing alpha, that each
// listed slot holds alpha*H(key) for the same alpha as the DB's public point L = alpha*G:
// a batched Chaum-Pedersen (DLEQ) proof. With Fiat-Shamir weights z_i (hashes of the whole
// statement), A = sum z_i H(x_i) and B = sum z_i P_i; the prover shows log_G(L) = log_A(B).
// A slot that is not alpha*H(x_i) makes B != alpha*A except with probability ~1/l.
//
// The key list tells which match keys are in the DB. It is for auditors, who hold the source
// lists anyway; it must never ship to devices. Nor must the filler seed it carries: with it, a
// device could recompute the fillers and tell, offline, that a key is in none of its slots.
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

struct ProvenKey {
  std::uint64_t slot = 0;
  matcher::MatchKey key{};
  friend bool operator==(const ProvenKey&, const ProvenKey&) = default;
};

struct DbProof {
  Digest db_digest{};             // the DB this proof is about
  // The seed of the DB's fillers; the DB header holds only CommitToFillerSeed(filler_seed).
  psi::FillerSeed filler_seed{};
  std::vector<ProvenKey> keys;    // every occupied slot, ascending slot order
  std::array<std::uint8_t, psi::kScalarBytes> challenge{};  // c
  std::array<std::uint8_t, psi::kScalarBytes> response{};   // s = r + c*alpha
};

// Proves the table of the DB with `db_digest`, whose occupied slots are `keys` (ascending slots)
// and whose empty slots are the fillers of `filler_seed` (carried in the proof for the auditor).
// `random` draws the commitment nonce; `threads` (0: all) share the n scalar multiplications.
// `key_points`, if not empty, are the keys' H(key) already computed (by the builder while
// blinding), saving one hash to the group per key; they must match `keys` one to one.
// kInvalidInput if the keys are empty, not in strictly ascending slot order, or key_points has
// another length.
inline constexpr const char* kFillerSeedMismatch =
    "the proof's filler seed does not match the DB header's commitment";

Result<DbProof> ProveDb(const Digest& db_digest, const psi::DbNonce& db_nonce,
                        const psi::FillerSeed& filler_seed, std::vector<ProvenKey> keys, const ServerSecret& secret,
                        RandomSource& random, unsigned threads,
                        const ProgressCallback& progress,
                        std::span<const psi::Point> key_points = {});

// Checks the proof against a loaded DB: same digest, a filler seed that opens the header's
// commitment (kFillerSeedMismatch), slots in range and ascending, and the DLEQ relation for the
// DB's L. kCorrupt naming what fails. Costs 2n scalar multiplications. The fillers themselves
// are AuditClientDb's to check.
Status VerifyDbProof(const ClientDb& db, const DbProof& proof, unsigned threads,
                     const ProgressCallback& progress);

// The file (docs/file-formats.md), written 0600. Save fails with kFailedPrecondition when `path`
// exists and `overwrite` is false (checked atomically), else only on I/O errors (kIoError); Load
// returns kNotFound, kIoError, kUnsupported (version) or kCorrupt (magic, sizes).
Status SaveDbProof(const DbProof& proof, const std::filesystem::path& path, bool overwrite = true);
Result<DbProof> LoadDbProof(const std::filesystem::path& path);

}  // namespace hashveil::hashdb
