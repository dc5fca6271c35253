// The audit's one expensive pass: every corpus image hashed once as it is, and once after each
// transform of the suite. Every later measurement (recall per parameter set, false matches,
// histograms) reuses these hashes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "audit/parallel_for.h"
#include "hashveil/common/status.h"
#include "hashveil/matcher/pdq_hasher.h"

namespace hashveil::audit {

struct ImageHashes {
  matcher::PdqResult original;  // with dihedral hashes
  // Indexed like TransformSuite(); empty where the transform or its hashing failed.
  std::vector<std::optional<matcher::PdqResult>> transformed;
};

struct CorpusHashes {
  std::vector<ImageHashes> images;        // the usable originals, in corpus order
  std::uint64_t unreadable = 0;           // files that could not be read, decoded or hashed
  std::uint64_t low_quality = 0;          // originals under kPdqMinQuality: never in a DB
  std::uint64_t transform_failures = 0;   // (image, transform) pairs with no hash
};

// (images done, total), called from the calling thread while the workers run.
using HashProgress = ItemProgress;

// Hashes `files` in parallel on `threads` workers (0: every hardware thread). Each file is
// hashed as the DB builder would (fast decode), then decoded and scaled down to at most
// `working_side` px (0: kept at full size; see DecodeWorkingImage), and every transform's
// encoded output is hashed the way a device would (same decoder, with dihedral hashes).
// Transform i of image n is seeded from (seed, n, i). Files that fail are counted, not fatal.
// Deterministic for a seed and working side whatever the thread count.
CorpusHashes HashCorpus(const std::vector<std::filesystem::path>& files, std::uint64_t seed,
                        int working_side, unsigned threads, const HashProgress& progress = {});

}  // namespace hashveil::audit
