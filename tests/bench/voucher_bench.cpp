// Voucher build (device) and open (server) per voucher and per probe, single thread, at the
// parameters P = 16, 32, 48 and 64 (s = 64, the default t); voucher size, DB bytes per
// entry; and the cost of the group operations that dominate (scripts/bench-vouchers runs it,
// pinned to one core). Prints figures, asserts nothing. Times are CPU time of this thread, so
// other load on the machine counts less. Protocol 1's figures, for comparison, are in
// docs/protocol.md ("Cost"): its code is gone, so they cannot be measured in the same run.
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/db_builder.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/psi/account_state.h"
#include "hashveil/psi/crypto.h"
#include "hashveil/psi/group.h"
#include "hashveil/psi/key_hashing.h"
#include "hashveil/psi/voucher_builder.h"
#include "hashveil/psi/voucher_opener.h"

namespace hv = hashveil;
namespace fs = std::filesystem;

namespace {

double ThreadSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Microseconds per call of `op`, over `count` calls.
double MicrosPerCall(int count, const std::function<void()>& op) {
  const double start = ThreadSeconds();
  for (int i = 0; i < count; ++i) op();
  return (ThreadSeconds() - start) * 1e6 / count;
}

hv::matcher::PdqHash RandomHash(hv::RandomSource& random) {
  hv::matcher::PdqHash hash;
  for (auto& word : hash.words) word = static_cast<std::uint16_t>(random.NextU64());
  return hash;
}

void GroupOperationCosts(hv::RandomSource& random) {
  const hv::psi::Scalar scalar = hv::psi::Scalar::Random(random);
  const hv::psi::Element point = hv::psi::Element::MulBase(scalar);
  const hv::psi::PrecomputedElement fixed(point);
  const hv::psi::Point encoded = point.Encode();
  const hv::matcher::MatchKey key{};
  const hv::psi::DbNonce nonce{};
  std::printf(
      "group operations (us/op, libdecaf): H(key) %.1f, Mul (variable base) %.1f, "
      "MulBase %.1f, Mul (precomputed L) %.1f, Add %.2f, Encode %.1f, Decode %.1f, "
      "KDF+single-use Seal %.1f\n",
      MicrosPerCall(2000, [&] { (void)hv::psi::HashMatchKeyElement(nonce, key); }),
      MicrosPerCall(2000, [&] { (void)point.Mul(scalar); }),
      MicrosPerCall(2000, [&] { (void)hv::psi::Element::MulBase(scalar); }),
      MicrosPerCall(2000, [&] { (void)fixed.Mul(scalar); }),
      MicrosPerCall(20000, [&] { (void)(point + point); }),
      MicrosPerCall(2000, [&] { (void)point.Encode(); }),
      MicrosPerCall(2000, [&] { (void)hv::psi::Element::Decode(encoded); }),
      MicrosPerCall(2000, [&] {
        const auto key = hv::psi::DeriveKeyFromPoint(encoded);
        (void)hv::psi::SealWithSingleUseKey(key, key.span(), {});
      }));
}

void BenchAt(std::uint32_t probes, const fs::path& dir, hv::RandomSource& random) {
  constexpr int kEntries = 2000;
  constexpr int kVouchers = 40;
  std::vector<hv::hashdb::PublishedEntry> entries(kEntries);
  for (auto& entry : entries) entry = {RandomHash(random), 100, {"a", "b"}};
  hv::hashdb::DbBuildOptions options;  // the defaults, but P
  options.key_scheme.probes = probes;
  options.threads = 1;
  const auto secret = hv::hashdb::GenerateServerSecret(random);
  const auto publisher = hv::hashdb::GeneratePublisherKeys(random);
  const std::string name = "p" + std::to_string(probes);
  const fs::path db_path = dir / (name + ".hvdb");
  auto built = hv::hashdb::BuildClientDb(entries, options, secret, publisher, random, db_path,
                                         fs::path(db_path).concat(".proof"));
  if (!built.ok()) {
    std::fprintf(stderr, "DB build failed: %s\n", built.status().ToString().c_str());
    return;
  }
  auto db = hv::hashdb::ClientDb::Load(db_path, publisher.public_key).value();
  const auto& params = db->params();
  hv::psi::AccountStateKey key;
  auto account = hv::psi::AccountState::OpenOrCreate(
      dir / (name + ".state"), key,
      {params.threshold, params.synthetic_max, params.synthetic_rate_ppm}, random).value();
  auto builder = hv::psi::VoucherBuilder::Create(*db, *account, "alice").value();
  auto opener = hv::psi::VoucherOpener::Create(builder->shape(), secret.alpha).value();

  std::vector<std::vector<std::uint8_t>> vouchers;
  double build_seconds = 0;
  for (int i = 0; i < kVouchers; ++i) {
    hv::psi::VoucherInput input;
    // Half members, half not: the work must not depend on it.
    input.payload.hash = i % 2 == 0 ? entries[i].hash : RandomHash(random);
    input.payload.quality = 100;
    for (int bit = 0; bit < 256; ++bit) input.margins[bit] = 1.0f + static_cast<float>(bit);
    // Variants unlike the image, as the device's usually are: every probe a distinct key.
    input.variants.emplace();
    for (auto& variant : *input.variants) variant = {RandomHash(random), input.margins};
    const double start = ThreadSeconds();
    auto voucher = builder->Build(input, random);
    build_seconds += ThreadSeconds() - start;
    vouchers.push_back(std::move(voucher).value());
  }
  int candidates = 0;
  const double open_start = ThreadSeconds();
  for (const auto& voucher : vouchers)
    candidates += !opener->Open(voucher, "alice")->candidates.empty();
  const double open_seconds = ThreadSeconds() - open_start;
  const double build_ms = build_seconds * 1e3 / kVouchers;
  const double open_ms = open_seconds * 1e3 / kVouchers;
  std::printf(
      "P=%-3u s=%u entries/voucher=%-3u voucher=%6zu bytes  DB %5.1f bytes/entry  "
      "build %6.2f ms/voucher (%5.1f us/probe)  open %5.2f ms/voucher (%4.1f us/probe, "
      "%5.0f vouchers/s/core)  [%d/%d opened]\n",
      probes, params.synthetic_max, builder->shape().entry_count, builder->shape().total_bytes(),
      static_cast<double>(built->stats.db_bytes) / kEntries, build_ms, build_ms * 1e3 / probes,
      open_ms, open_ms * 1e3 / probes, 1e3 / open_ms, candidates, kVouchers);
}

}  // namespace

int main() {
  auto random = hv::MakeSeededRandomForTesting(1);
  const fs::path dir = fs::temp_directory_path() / ("hv-voucher-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  GroupOperationCosts(*random);
  for (const std::uint32_t probes : {16u, 32u, 48u, 64u}) BenchAt(probes, dir, *random);
  fs::remove_all(dir);
  return 0;
}
