#include "hashveil/hashdb/db_proof.h"

#include <sodium.h>

#include <algorithm>
#include <string_view>

#include "weighted_sum.h"

namespace hashveil::hashdb {
namespace {

using Statement = std::array<std::uint8_t, 64>;

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
    for (std::size_t i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (8 * i));
    Add(bytes);
  }
  Statement Finish() {
    Statement out{};
    crypto_generichash_final(&state_, out.data(), out.size());
    return out;
  }
  psi::Scalar FinishScalar() { return psi::Scalar::FromWideBytes(Finish()); }

 private:
  crypto_generichash_state state_;
};

// Binds everything the weights must depend on: the DB digest (which covers the table, the whole
// header and L), L itself, and every key with its value. A prover who changes any of them gets
// new weights. The domain names the version: version 2 hashed (slot, key) pairs instead.
Statement StatementHash(const Digest& db_digest, const psi::Point& public_point,
                        std::span<const matcher::MatchKey> keys,
                        std::span<const psi::Point> values) {
  Transcript t("hashveil/db-proof/v3/statement");
  t.Add(db_digest);
  t.Add(public_point.bytes);
  t.AddU64(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    t.Add(keys[i]);
    t.Add(values[i].bytes);
  }
  return t.Finish();
}

void Weight(const Statement& statement, std::uint64_t index, PublicWeight& weight) {
  Transcript t("hashveil/db-proof/weight");
  t.Add(statement);
  t.AddU64(index);
  const psi::Scalar z = t.FinishScalar();
  std::copy(z.bytes().begin(), z.bytes().end(), weight.begin());
}

psi::Scalar Challenge(const Statement& statement, const psi::Element& a, const psi::Element& b,
                      const psi::Element& r1, const psi::Element& r2) {
  Transcript t("hashveil/db-proof/challenge");
  t.Add(statement);
  for (const psi::Element* p : {&a, &b, &r1, &r2}) t.Add(p->Encode().bytes);
  return t.FinishScalar();
}

// The index of the first key not above its predecessor, or keys.size().
std::size_t FirstUnorderedKey(std::span<const matcher::MatchKey> keys) {
  for (std::size_t i = 1; i < keys.size(); ++i) {
    if (keys[i] <= keys[i - 1]) return i;
  }
  return keys.size();
}

}  // namespace

Result<DbProof> ProveDb(const Digest& db_digest, const psi::DbNonce& db_nonce,
                        const psi::FillerSeed& filler_seed, std::vector<matcher::MatchKey> keys,
                        std::vector<psi::Point> values, const ServerSecret& secret,
                        RandomSource& random, unsigned threads, const ProgressCallback& progress,
                        std::span<const psi::Point> key_points) {
  if (keys.empty()) return Status::InvalidInput("no keys to prove");
  if (values.size() != keys.size()) {
    return Status::InvalidInput("the values do not match the keys one to one");
  }
  if (!key_points.empty() && key_points.size() != keys.size()) {
    return Status::InvalidInput("precomputed key points do not match the keys");
  }
  if (FirstUnorderedKey(keys) != keys.size()) {
    return Status::InvalidInput("the keys to prove are not strictly ascending");
  }
  const auto statement = StatementHash(db_digest, secret.public_point(), keys, values);
  psi::Element a;
  HV_RETURN_IF_ERROR(WeightedSums(
      keys.size(),
      [&](std::uint64_t i, PublicWeight& weight, std::span<psi::Element> out) -> Status {
        Weight(statement, i, weight);
        if (key_points.empty()) {
          out[0] = psi::HashMatchKeyElement(db_nonce, keys[i]);
          return Status::Ok();
        }
        auto point = psi::Element::Decode(key_points[i]);
        if (!point.ok()) return Status::InvalidInput("a precomputed key point is not valid");
        out[0] = *point;
        return Status::Ok();
      },
      {&a, 1}, threads, progress));
  if (a.IsIdentity()) return Status::Internal("weighted sum of the keys is the identity");
  // B = alpha*A: the prover knows alpha, so it skips the second weighted sum.
  const psi::Element b = a.Mul(secret.alpha);
  psi::Scalar r;
  do {
    r = psi::Scalar::Random(random);
  } while (r.IsZero());
  const psi::Scalar c =
      Challenge(statement, a, b, psi::Element::MulBase(r), a.Mul(r));
  const psi::Scalar s = r + c * secret.alpha;

  DbProof proof;
  proof.db_digest = db_digest;
  proof.filler_seed = filler_seed;
  proof.keys = std::move(keys);
  proof.values = std::move(values);
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
  if (proof.values.size() != proof.keys.size()) {
    return Status::Corrupt("the proof's values do not match its keys one to one");
  }
  if (const std::size_t i = FirstUnorderedKey(proof.keys); i != proof.keys.size()) {
    return Status::Corrupt("the proof's keys are not strictly ascending (entry " +
                           std::to_string(i) + ")");
  }
  auto c = psi::Scalar::FromCanonicalBytes(proof.challenge);
  auto s = psi::Scalar::FromCanonicalBytes(proof.response);
  if (!c.ok() || !s.ok()) return Status::Corrupt("proof scalars are not canonical");
  auto public_point = psi::Element::Decode(params.public_point);
  if (!public_point.ok()) return Status::Corrupt("the DB's public point is not valid");

  const auto statement =
      StatementHash(proof.db_digest, params.public_point, proof.keys, proof.values);
  std::array<psi::Element, 2> sums;  // A, B
  HV_RETURN_IF_ERROR(WeightedSums(
      proof.keys.size(),
      [&](std::uint64_t i, PublicWeight& weight, std::span<psi::Element> out) -> Status {
        Weight(statement, i, weight);
        auto value = psi::Element::Decode(proof.values[i]);
        if (!value.ok()) {
          return Status::Corrupt("proof value " + std::to_string(i) +
                                 " is not a valid point (or is the identity)");
        }
        out[0] = psi::HashMatchKeyElement(params.db_nonce, proof.keys[i]);
        out[1] = *value;
        return Status::Ok();
      },
      sums, threads, progress));
  // R1 = s*G - c*L, R2 = s*A - c*B; the proof holds iff c hashes back from them.
  const psi::Element r1 = psi::Element::MulBase(*s) - public_point->Mul(*c);
  const psi::Element r2 = psi::Element::DoubleMul(*s, sums[0], c->Negate(), sums[1]);
  if (!Challenge(statement, sums[0], sums[1], r1, r2).Equals(*c)) {
    return Status::Corrupt(
        "the DLEQ proof does not verify: some value is not alpha*H(key) for the alpha of the "
        "DB's public point (a foreign alpha or a forged point)");
  }
  return Status::Ok();
}

}  // namespace hashveil::hashdb
