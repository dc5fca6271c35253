#include "audit/db_cost.h"

#include <algorithm>
#include <set>
#include <utility>

#include "hashveil/common/random.h"
#include "hashveil/hashdb/db_builder.h"
#include "hashveil/hashdb/keys.h"

namespace hashveil::audit {

double CuckooLoad(std::uint32_t cuckoo_functions) { return cuckoo_functions >= 3 ? 0.9 : 0.48; }

Result<std::vector<DbCost>> MeasureDbCosts(const CorpusHashes& corpus,
                                           const std::vector<ParameterSet>& sets,
                                           const std::filesystem::path& scratch,
                                           std::uint64_t seed) {
  if (corpus.images.empty()) return Status::InvalidInput("no usable corpus image");
  std::vector<hashdb::PublishedEntry> entries;
  for (const ImageHashes& image : corpus.images) {
    entries.push_back({image.original.hash, static_cast<std::uint32_t>(image.original.quality),
                       {"audit-corpus"}});
  }
  std::set<std::pair<std::uint32_t, std::uint32_t>> shapes;
  for (const ParameterSet& set : sets) shapes.insert({set.matching.keys.tables, set.cuckoo_functions});

  // A throwaway DB whose secret never leaves this function: seeded, so that the cuckoo placement
  // (and the dropped-key count) is the same on every run of the audit.
  std::unique_ptr<RandomSource> random = MakeSeededRandomForTesting(seed);
  const hashdb::ServerSecret secret = hashdb::GenerateServerSecret(*random);
  const hashdb::PublisherKeyPair publisher = hashdb::GeneratePublisherKeys(*random);
  std::error_code ec;
  std::filesystem::create_directories(scratch, ec);
  if (ec) return Status::IoError("scratch directory for the DB cost could not be created");
  const std::filesystem::path db_path = scratch / "cost.hvdb";
  const std::filesystem::path proof_path = scratch / "cost.hvdb.proof";

  std::vector<DbCost> costs;
  for (const auto& [tables, functions] : shapes) {
    hashdb::DbBuildOptions options;
    options.key_scheme = {.tables = tables, .bits_per_key = 64, .probes = std::max(16u, tables)};
    options.cuckoo_functions = functions;
    options.load = CuckooLoad(functions);
    const Result<hashdb::DbBuildResult> built = hashdb::BuildClientDb(
        entries, options, secret, publisher, *random, db_path, proof_path);
    std::filesystem::remove(db_path, ec);
    std::filesystem::remove(proof_path, ec);
    if (!built.ok()) return built.status().WithContext("building the cost DB");
    costs.push_back({tables, functions, options.load, built->stats.entries,
                     built->stats.placed_keys, built->stats.dropped_keys, built->stats.db_bytes});
  }
  return costs;
}

}  // namespace hashveil::audit
