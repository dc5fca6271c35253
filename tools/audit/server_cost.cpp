#include "audit/server_cost.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "hashveil/common/random.h"
#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/db_builder.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/psi/account_state.h"
#include "hashveil/psi/voucher_builder.h"
#include "hashveil/psi/voucher_opener.h"

namespace hashveil::audit {
namespace {

using Clock = std::chrono::steady_clock;

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Builds and opens `cost.vouchers` vouchers against the DB at `db_path`, filling the voucher
// size and timings.
Status MeasureVouchers(const CorpusHashes& corpus, const std::filesystem::path& db_path,
                       const hashdb::PublisherKeyPair& publisher,
                       const hashdb::ServerSecret& secret, const std::filesystem::path& state_path,
                       RandomSource& random, ServerCost& cost) {
  HV_ASSIGN_OR_RETURN(auto db, hashdb::ClientDb::Load(db_path, publisher.public_key));
  const psi::AccountParameters account_params{db->params().threshold, db->params().synthetic_max,
                                              db->params().synthetic_rate_ppm};
  psi::AccountStateKey state_key;
  random.Fill(state_key.span());
  std::error_code ec;
  std::filesystem::remove(state_path, ec);
  HV_ASSIGN_OR_RETURN(auto account,
                      psi::AccountState::OpenOrCreate(state_path, state_key, account_params, random));
  constexpr std::string_view kAccount = "audit";
  HV_ASSIGN_OR_RETURN(auto builder, psi::VoucherBuilder::Create(*db, *account, kAccount));
  HV_ASSIGN_OR_RETURN(auto opener, psi::VoucherOpener::Create(builder->shape(), secret.alpha));
  cost.voucher_bytes = builder->shape().total_bytes();
  cost.vouchers = static_cast<std::uint32_t>(std::min<std::size_t>(cost.vouchers, corpus.images.size()));
  double build_ms = 0, open_ms = 0;
  for (std::uint32_t i = 0; i < cost.vouchers; ++i) {
    const matcher::PdqResult& image = corpus.images[i].original;
    const psi::VoucherInput input{
        {image.hash, image.quality, {}, {}}, image.margins, image.variants};
    Clock::time_point start = Clock::now();
    HV_ASSIGN_OR_RETURN(std::vector<std::uint8_t> voucher, builder->Build(input, random));
    build_ms += MillisecondsSince(start);
    start = Clock::now();
    HV_RETURN_IF_ERROR(opener->Open(voucher, kAccount).status());
    open_ms += MillisecondsSince(start);
  }
  if (cost.vouchers > 0) {
    cost.client_build_ms = build_ms / cost.vouchers;
    cost.server_open_ms = open_ms / cost.vouchers;
  }
  account.reset();
  std::filesystem::remove(state_path, ec);
  return Status::Ok();
}

}  // namespace

Result<std::vector<ServerCost>> MeasureServerCosts(const CorpusHashes& corpus,
                                                   const std::vector<ParameterSet>& sets,
                                                   const std::filesystem::path& scratch,
                                                   std::uint64_t seed, std::uint32_t vouchers) {
  if (corpus.images.empty()) return Status::InvalidInput("no usable corpus image");
  std::vector<hashdb::PublishedEntry> entries;
  for (const ImageHashes& image : corpus.images) {
    entries.push_back({image.original.hash, static_cast<std::uint32_t>(image.original.quality),
                       {"audit-corpus"}});
  }
  std::set<std::pair<std::uint32_t, std::uint32_t>> shapes;
  for (const ParameterSet& set : sets) {
    shapes.insert({set.matching.keys.tables, set.matching.keys.probes});
  }

  // Throwaway DBs whose secrets never leave this function: seeded, so that the table (and its
  // size) is the same on every run of the audit.
  std::unique_ptr<RandomSource> random = MakeSeededRandomForTesting(seed);
  const hashdb::ServerSecret secret = hashdb::GenerateServerSecret(*random);
  const hashdb::PublisherKeyPair publisher = hashdb::GeneratePublisherKeys(*random);
  std::error_code ec;
  std::filesystem::create_directories(scratch, ec);
  if (ec) return Status::IoError("scratch folder for the cost DBs could not be created");
  const std::filesystem::path db_path = scratch / "cost.hvdb";
  const std::filesystem::path proof_path = scratch / "cost.hvdb.proof";

  std::vector<ServerCost> costs;
  for (const auto& [tables, probes] : shapes) {
    hashdb::DbBuildOptions options;
    options.key_scheme = {.tables = tables, .bits_per_key = 64, .probes = probes};
    const Result<hashdb::DbBuildResult> built = hashdb::BuildClientDb(
        entries, options, secret, publisher, *random, db_path, proof_path);
    if (!built.ok()) return built.status().WithContext("building a cost DB");
    ServerCost cost{tables,
                    probes,
                    static_cast<double>(built->stats.placed_keys) /
                        static_cast<double>(built->stats.cell_count),
                    built->stats.entries,
                    built->stats.placed_keys,
                    built->stats.dropped_keys,
                    built->stats.db_bytes};
    cost.vouchers = vouchers;
    const Status measured =
        MeasureVouchers(corpus, db_path, publisher, secret, scratch / "cost.state", *random, cost);
    std::filesystem::remove(db_path, ec);
    std::filesystem::remove(proof_path, ec);
    if (!measured.ok()) return measured.WithContext("measuring vouchers");
    costs.push_back(cost);
  }
  return costs;
}

}  // namespace hashveil::audit
