// The inclusion policy (docs/design.md 6): which imported hashes enter the published DB.
//
//  1. Quality: a hash's quality is the highest any holding source stated for it. It passes when
//     that is >= min_quality, or when no holding source stated a quality at all (lists without
//     a quality column are taken as their owners curated them; the device still never matches
//     an image of low quality).
//  2. Merging: passing hashes within merge_distance of each other are the same image; merging is
//     transitive (connected components), so a chain a~b~c is one entry even when a and c are
//     further apart.
//  3. Inclusion: an entry's holders are the union of its members' sources; it is included when
//     they number >= min_sources (counting distinct jurisdictions instead of sources when
//     distinct_jurisdictions).
//  4. Representative: the member held by the most sources, ties broken by the smallest hash (in
//     hex order); the entry carries its hash and stated quality (0 when unknown).
// Entries come out sorted by representative hash (hex order), sources sorted by name.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/publication.h"
#include "hashveil/hashdb/source_store.h"

namespace hashveil::hashdb {

// One distinct imported hash and the sources holding it.
struct HeldHash {
  matcher::PdqHash hash;
  std::optional<std::uint32_t> quality;  // highest stated by a holder; none if none stated one
  std::vector<std::uint32_t> holders;    // indices into the sources, no duplicates
};

// Applies `policy` to the store's content: the entries and the counts of what it left out (the
// revision is the caller's to fill). `threads` workers for the near-duplicate search; progress
// reports that search (the long phase). kInvalidInput for a merge distance the index does not
// support (see multi_index.h).
Result<IncludedSet> ApplyInclusionPolicy(const InclusionPolicy& policy,
                                         std::span<const SourceInfo> sources,
                                         std::span<const HeldHash> hashes, unsigned threads,
                                         const ProgressCallback& progress);

// Hex order of PDQ hashes: words 15..0, most significant first (as ToHex prints them).
bool HexOrderLess(const matcher::PdqHash& a, const matcher::PdqHash& b);

}  // namespace hashveil::hashdb
