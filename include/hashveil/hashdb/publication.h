// What the server keeps of a published DB for second-stage verification: the included entries'
// original PDQ hashes and provenance. Never part of the .hvdb (docs/design.md sections 4 and 6).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hashveil/matcher/pdq_hash.h"

namespace hashveil::hashdb {

struct PublishedEntry {
  matcher::PdqHash hash;   // the representative hash of the merged entry
  std::uint32_t quality = 0;
  std::vector<std::string> sources;  // names of the sources holding it
};

// What the inclusion policy left out, and why (docs/hashdb.md, "Inclusion policy").
struct InclusionCounts {
  std::uint64_t hashes = 0;             // distinct hashes the store held
  std::uint64_t below_min_quality = 0;  // hashes left out: stated quality below min_quality
  std::uint64_t merged = 0;             // hashes merged into another hash's entry (near-duplicates)
  std::uint64_t too_few_sources = 0;    // entries left out: too few sources (or jurisdictions)
  std::uint64_t hashes_in_too_few_sources = 0;  // the hashes in those entries
};

// The policy's set, and the store revision it was computed from: the input an auditor
// recomputes it from (docs/audit.md, "Auditing a published DB").
struct IncludedSet {
  std::vector<PublishedEntry> entries;
  std::uint64_t revision = 0;  // the source store's revision; 0 before any import
  InclusionCounts counts;
};

}  // namespace hashveil::hashdb
