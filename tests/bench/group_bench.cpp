// ristretto255 operations on libdecaf (hashveil::psi's group) beside libsodium's, in one run, so
// that the ratio can be read: BM_Decaf_* on unencoded Elements, BM_Decaf_*Encoded through the
// Point functions (decode, operate, encode), BM_Sodium_* the peer (libsodium works on encodings
// only: it decodes its inputs and encodes its result in every call). Prints figures, asserts
// nothing. Pin it to one core: taskset -c 1 group_bench
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <array>
#include <cstdlib>
#include <memory>

#include "hashveil/common/seeded_random.h"
#include "hashveil/psi/group.h"

namespace hashveil::psi {
namespace {

constexpr std::string_view kDomain = "hashveil/bench";

// Random operands, the same for every benchmark.
struct Operands {
  Operands() : random(MakeSeededRandomForTesting(5)) {
    random->Fill(message);
    p = MulBase(a);
    q = HashToGroup(kDomain, message);
    p_element = *Element::Decode(p);
    q_element = *Element::Decode(q);
  }
  std::unique_ptr<RandomSource> random;
  Scalar a = Scalar::Random(*random), b = Scalar::Random(*random);
  std::array<std::uint8_t, 33> message{};  // a match key's size
  Point p, q;
  Element p_element, q_element;
};

const Operands& Get() {
  static const Operands* operands = new Operands();
  return *operands;
}

// from_hash: BLAKE2b-512 of the message, then two Elligator maps and an addition.
void BM_Decaf_FromHash(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Element::FromHash(kDomain, Get().message));
}
BENCHMARK(BM_Decaf_FromHash);

void BM_Decaf_FromHashEncoded(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(HashToGroup(kDomain, Get().message));
}
BENCHMARK(BM_Decaf_FromHashEncoded);

void BM_Sodium_FromHash(benchmark::State& state) {
  Point out;
  for (auto _ : state) {
    crypto_generichash_state hash;
    crypto_generichash_init(&hash, nullptr, 0, crypto_core_ristretto255_HASHBYTES);
    const auto length = static_cast<std::uint8_t>(kDomain.size());
    crypto_generichash_update(&hash, &length, 1);
    crypto_generichash_update(&hash, reinterpret_cast<const std::uint8_t*>(kDomain.data()),
                              kDomain.size());
    crypto_generichash_update(&hash, Get().message.data(), Get().message.size());
    std::array<std::uint8_t, crypto_core_ristretto255_HASHBYTES> digest;
    crypto_generichash_final(&hash, digest.data(), digest.size());
    crypto_core_ristretto255_from_hash(out.bytes.data(), digest.data());
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Sodium_FromHash);

// scalar * G.
void BM_Decaf_MulBase(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Element::MulBase(Get().a));
}
BENCHMARK(BM_Decaf_MulBase);

void BM_Decaf_MulBaseEncoded(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(MulBase(Get().a));
}
BENCHMARK(BM_Decaf_MulBaseEncoded);

void BM_Sodium_MulBase(benchmark::State& state) {
  Point out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        crypto_scalarmult_ristretto255_base(out.bytes.data(), Get().a.bytes().data()));
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Sodium_MulBase);

// scalar * P, variable base.
void BM_Decaf_Mul(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Get().q_element.Mul(Get().a));
}
BENCHMARK(BM_Decaf_Mul);

void BM_Decaf_MulEncoded(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Mul(Get().a, Get().q));
}
BENCHMARK(BM_Decaf_MulEncoded);

void BM_Sodium_Mul(benchmark::State& state) {
  Point out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto_scalarmult_ristretto255(
        out.bytes.data(), Get().a.bytes().data(), Get().q.bytes.data()));
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Sodium_Mul);

// scalar * P for a fixed P with its table (the table is built once, outside the loop), and the
// cost of building the table.
void BM_Decaf_PrecomputedMul(benchmark::State& state) {
  const PrecomputedElement table(Get().q_element);
  for (auto _ : state) benchmark::DoNotOptimize(table.Mul(Get().a));
}
BENCHMARK(BM_Decaf_PrecomputedMul);

void BM_Decaf_Precompute(benchmark::State& state) {
  for (auto _ : state) {
    PrecomputedElement table(Get().q_element);
    benchmark::DoNotOptimize(table);
  }
}
BENCHMARK(BM_Decaf_Precompute);

// a*P + b*Q; libsodium has no such call: two multiplications and an addition.
void BM_Decaf_DoubleMul(benchmark::State& state) {
  const Operands& o = Get();
  for (auto _ : state) {
    benchmark::DoNotOptimize(Element::DoubleMul(o.a, o.p_element, o.b, o.q_element));
  }
}
BENCHMARK(BM_Decaf_DoubleMul);

void BM_Sodium_DoubleMul(benchmark::State& state) {
  const Operands& o = Get();
  Point ap, bq, out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        crypto_scalarmult_ristretto255(ap.bytes.data(), o.a.bytes().data(), o.p.bytes.data()));
    benchmark::DoNotOptimize(
        crypto_scalarmult_ristretto255(bq.bytes.data(), o.b.bytes().data(), o.q.bytes.data()));
    benchmark::DoNotOptimize(
        crypto_core_ristretto255_add(out.bytes.data(), ap.bytes.data(), bq.bytes.data()));
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Sodium_DoubleMul);

// P + Q.
void BM_Decaf_Add(benchmark::State& state) {
  Element sum = Get().p_element;
  for (auto _ : state) {
    sum += Get().q_element;
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_Decaf_Add);

void BM_Decaf_AddEncoded(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Add(Get().p, Get().q));
}
BENCHMARK(BM_Decaf_AddEncoded);

void BM_Sodium_Add(benchmark::State& state) {
  Point out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        crypto_core_ristretto255_add(out.bytes.data(), Get().p.bytes.data(), Get().q.bytes.data()));
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Sodium_Add);

// Encoding and decoding alone. libsodium has no separate encode; its is_valid_point is a full
// decode.
void BM_Decaf_Encode(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Get().q_element.Encode());
}
BENCHMARK(BM_Decaf_Encode);

void BM_Decaf_Decode(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Element::Decode(Get().q));
}
BENCHMARK(BM_Decaf_Decode);

void BM_Sodium_Decode(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto_core_ristretto255_is_valid_point(Get().q.bytes.data()));
  }
}
BENCHMARK(BM_Sodium_Decode);

}  // namespace
}  // namespace hashveil::psi

int main(int argc, char** argv) {
  if (sodium_init() < 0) return EXIT_FAILURE;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return EXIT_FAILURE;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return EXIT_SUCCESS;
}
