#include "hashveil/hashdb/db_proof.h"

#include <sodium.h>

#include <mutex>

#include "hashveil/common/secret_file.h"
#include "le_codec.h"
#include "parallel_for.h"

namespace hashveil::hashdb {
namespace {

constexpr std::array<std::uint8_t, 4> kProofMagic = {'H', 'V', 'P', 'F'};
// Version 2 carries the filler seed, which the version-2 client DB only commits to.
constexpr std::uint32_t kProofFormatVersion = 2;
constexpr std::size_t kProofHeaderBytes = 4 + 4 + sizeof(Digest) + psi::kFillerSeedBytes + 8;
constexpr std::size_t kProvenKeyBytes = 8 + std::tuple_size_v<matcher::MatchKey>;
constexpr std::size_t kProofTrailerBytes = 2 * psi::kScalarBytes;
// A proof lists at most one key per slot; 2^32 slots is far beyond any DB we build.
constexpr std::uint64_t kMaxProofBytes = kProofHeaderBytes + (std::uint64_t{1} << 32) * kProvenKeyBytes;

class Transcript {
 public:
  explicit Transcript(std::string_view domain) {
    crypto_generichash_init(&state_, nullptr, 0, crypto_generichash_BYTES_MAX);
    const auto length = static_cast<std::uint8_t>(domain.size());
    Add({&length, 1});
    Add({reinterpret_cast<const std::uint8_t*>(domain.data()), domain.size()});
  }
  void Add(std::span<const std::uint8_t> bytes) {
    crypto_generichash_update(&state_, bytes.data(), bytes.size());
  }
  void AddU64(std::uint64_t value) {
    std::array<std::uint8_t, 8> bytes{};
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (8 * i));
    Add(bytes);
  }
  std::array<std::uint8_t, 64> Finish() {
    std::array<std::uint8_t, 64> out{};
    crypto_generichash_final(&state_, out.data(), out.size());
    return out;
  }
  psi::Scalar FinishScalar() {
    const auto wide = Finish();
    return psi::Scalar::FromWideBytes(wide);
  }

 private:
  crypto_generichash_state state_;
};

// Binds everything the weights must depend on: the DB digest (which covers every point and L),
// L itself and the claimed key of each slot. A prover who changes any of them gets new weights.
std::array<std::uint8_t, 64> StatementHash(const Digest& db_digest, const psi::Point& public_point,
                                           std::span<const ProvenKey> keys) {
  Transcript t("hashveil/db-proof/statement");
  t.Add(db_digest);
  t.Add(public_point.bytes);
  t.AddU64(keys.size());
  for (const ProvenKey& k : keys) {
    t.AddU64(k.slot);
    t.Add(k.key);
  }
  return t.Finish();
}

psi::Scalar Weight(const std::array<std::uint8_t, 64>& statement, std::uint64_t index) {
  Transcript t("hashveil/db-proof/weight");
  t.Add(statement);
  t.AddU64(index);
  return t.FinishScalar();
}

psi::Scalar Challenge(const std::array<std::uint8_t, 64>& statement, const psi::Point& a,
                      const psi::Point& b, const psi::Point& r1, const psi::Point& r2) {
  Transcript t("hashveil/db-proof/challenge");
  t.Add(statement);
  for (const psi::Point* p : {&a, &b, &r1, &r2}) t.Add(p->bytes);
  return t.FinishScalar();
}

// sum_i z_i * point(i) for each of the `sums.size()` point sequences at once, in parallel.
// The identity (all-zero encoding) starts each sum; libsodium adds it like any point.
Status WeightedSums(std::uint64_t count, const std::array<std::uint8_t, 64>& statement,
                    const std::function<Status(std::uint64_t, std::span<psi::Point>)>& points_at,
                    std::span<psi::Point> sums, unsigned threads, const ProgressCallback& progress) {
  std::mutex mutex;
  for (psi::Point& sum : sums) sum = psi::Point{};
  return ParallelFor(
      count, threads,
      [&](std::uint64_t begin, std::uint64_t end) -> Status {
        std::vector<psi::Point> partial(sums.size()), terms(sums.size());
        for (std::uint64_t i = begin; i < end; ++i) {
          HV_RETURN_IF_ERROR(points_at(i, terms));
          const psi::Scalar z = Weight(statement, i);
          for (std::size_t s = 0; s < sums.size(); ++s) {
            auto term = psi::Mul(z, terms[s]);
            if (!term.ok()) return Status::Corrupt("slot " + std::to_string(i) + ": invalid point");
            auto sum = psi::Add(partial[s], *term);
            if (!sum.ok()) return Status::Internal("point addition failed");
            partial[s] = *sum;
          }
        }
        std::lock_guard<std::mutex> lock(mutex);
        for (std::size_t s = 0; s < sums.size(); ++s) {
          auto sum = psi::Add(sums[s], partial[s]);
          if (!sum.ok()) return Status::Internal("point addition failed");
          sums[s] = *sum;
        }
        return Status::Ok();
      },
      progress);
}

Status CheckSlotOrder(std::span<const ProvenKey> keys) {
  for (std::size_t i = 1; i < keys.size(); ++i) {
    if (keys[i].slot <= keys[i - 1].slot) {
      return Status::Corrupt("proof slots are not strictly ascending (entry " + std::to_string(i) +
                             ")");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<DbProof> ProveDb(const Digest& db_digest, const psi::DbNonce& db_nonce,
                        const psi::FillerSeed& filler_seed, std::vector<ProvenKey> keys, const ServerSecret& secret,
                        RandomSource& random, unsigned threads,
                        const ProgressCallback& progress,
                        std::span<const psi::Point> key_points) {
  if (keys.empty()) return Status::InvalidInput("no keys to prove");
  if (!key_points.empty() && key_points.size() != keys.size()) {
    return Status::InvalidInput("precomputed key points do not match the keys");
  }
  if (Status order = CheckSlotOrder(keys); !order.ok()) return Status::InvalidInput(order.message());
  const psi::Point public_point = secret.public_point();
  const auto statement = StatementHash(db_digest, public_point, keys);
  psi::Point a;
  HV_RETURN_IF_ERROR(WeightedSums(
      keys.size(), statement,
      [&](std::uint64_t i, std::span<psi::Point> out) {
        out[0] = key_points.empty() ? psi::HashMatchKey(db_nonce, keys[i].key) : key_points[i];
        return Status::Ok();
      },
      {&a, 1}, threads, progress));
  // B = alpha*A: the prover knows alpha, so it skips the second weighted sum.
  auto b = psi::Mul(secret.alpha, a);
  psi::Scalar r;
  do {
    r = psi::Scalar::Random(random);
  } while (r.IsZero());
  auto r2 = psi::Mul(r, a);
  if (!b.ok() || !r2.ok()) return Status::Internal("weighted sum of the keys is the identity");
  const psi::Point r1 = psi::MulBase(r);
  const psi::Scalar c = Challenge(statement, a, *b, r1, *r2);
  const psi::Scalar s = r + c * secret.alpha;

  DbProof proof;
  proof.db_digest = db_digest;
  proof.filler_seed = filler_seed;
  proof.keys = std::move(keys);
  std::copy(c.bytes().begin(), c.bytes().end(), proof.challenge.begin());
  std::copy(s.bytes().begin(), s.bytes().end(), proof.response.begin());
  return proof;
}

Status VerifyDbProof(const ClientDb& db, const DbProof& proof, unsigned threads,
                     const ProgressCallback& progress) {
  const ClientDbParams& params = db.params();
  if (proof.db_digest != db.digest()) return Status::Corrupt("the proof is for another DB");
  if (CommitToFillerSeed(proof.filler_seed) != params.filler_seed_commitment) {
    return Status::Corrupt(kFillerSeedMismatch);
  }
  if (proof.keys.empty()) return Status::Corrupt("the proof lists no keys");
  HV_RETURN_IF_ERROR(CheckSlotOrder(proof.keys));
  if (proof.keys.back().slot >= params.slot_count) {
    return Status::Corrupt("the proof names a slot beyond the table");
  }
  auto c = psi::Scalar::FromCanonicalBytes(proof.challenge);
  auto s = psi::Scalar::FromCanonicalBytes(proof.response);
  if (!c.ok() || !s.ok()) return Status::Corrupt("proof scalars are not canonical");

  const auto statement = StatementHash(proof.db_digest, params.public_point, proof.keys);
  std::array<psi::Point, 2> sums;  // A, B
  HV_RETURN_IF_ERROR(WeightedSums(
      proof.keys.size(), statement,
      [&](std::uint64_t i, std::span<psi::Point> out) {
        out[0] = psi::HashMatchKey(params.db_nonce, proof.keys[i].key);
        out[1] = db.slot(proof.keys[i].slot);
        return Status::Ok();
      },
      sums, threads, progress));
  // R1 = s*G - c*L, R2 = s*A - c*B; the proof holds iff c hashes back from them.
  auto c_l = psi::Mul(*c, params.public_point);
  auto s_a = psi::Mul(*s, sums[0]);
  auto c_b = psi::Mul(*c, sums[1]);
  if (!c_l.ok() || !s_a.ok() || !c_b.ok()) return Status::Corrupt("the DLEQ proof does not verify");
  auto r1 = psi::Sub(psi::MulBase(*s), *c_l);
  auto r2 = psi::Sub(*s_a, *c_b);
  if (!r1.ok() || !r2.ok() ||
      !Challenge(statement, sums[0], sums[1], *r1, *r2).Equals(*c)) {
    return Status::Corrupt(
        "the DLEQ proof does not verify: some occupied slot is not alpha*H(key) for the alpha of "
        "the DB's public point (a foreign alpha or a forged point)");
  }
  return Status::Ok();
}

Status SaveDbProof(const DbProof& proof, const std::filesystem::path& path, bool overwrite) {
  LeWriter w;
  w.Bytes(kProofMagic);
  w.U32(kProofFormatVersion);
  w.Bytes(proof.db_digest);
  w.Bytes(proof.filler_seed);
  w.U64(proof.keys.size());
  for (const ProvenKey& k : proof.keys) {
    w.U64(k.slot);
    w.Bytes(k.key);
  }
  w.Bytes(proof.challenge);
  w.Bytes(proof.response);
  // Owner-only like the keys: the proof lists every published match key (issue 15 item 8).
  return WriteSecretFile(path, w.bytes(), overwrite).WithContext("writing DB proof");
}

Result<DbProof> LoadDbProof(const std::filesystem::path& path) {
  HV_ASSIGN_OR_RETURN(std::vector<std::uint8_t> file, ReadFileBytes(path, kMaxProofBytes));
  LeReader r(file);
  if (r.Array<4>() != kProofMagic || !r.ok()) return Status::Corrupt("not a DB proof (wrong magic)");
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
      count != (r.remaining() - kProofTrailerBytes) / kProvenKeyBytes ||
      (r.remaining() - kProofTrailerBytes) % kProvenKeyBytes != 0) {
    return Status::Corrupt("DB proof length does not match its key count");
  }
  proof.keys.resize(count);
  for (ProvenKey& k : proof.keys) {
    k.slot = r.U64();
    k.key = r.Array<std::tuple_size_v<matcher::MatchKey>>();
  }
  proof.challenge = r.Array<psi::kScalarBytes>();
  proof.response = r.Array<psi::kScalarBytes>();
  if (!r.ok() || r.remaining() != 0) return Status::Internal("DB proof parse overran its size check");
  return proof;
}

}  // namespace hashveil::hashdb
