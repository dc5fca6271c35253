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

}  // namespace hashveil::hashdb
