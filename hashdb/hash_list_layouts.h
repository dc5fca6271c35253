// The layouts ParseHashList recognises (docs/hashdb.md, "Import formats") and the per-layout row
// parsers it dispatches to. A file's first record (or its header) fixes its layout; every later
// row must have the same layout, else it is a bad line. Reasons are fixed texts: never a row's
// content.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "hash_list_parser.h"

namespace hashveil::hashdb::list_layouts {

enum class Layout {
  kUndecided,
  kHexLines,      // a hash per line, with the reference tools' extras (hashio, pdq-photo-hasher)
  kDihedralRows,  // hashveil hash --dihedral, pdq-photo-hasher --pdqdih-across: 8 hashes,q,path
  kHma1Rows,      // HMA 1.0 ThreatExchange data files: hash,indicator_id,descriptor_id,time,tags
  kTeCacheRows,  // pytx's simple.HASH_PDQ.te cache (HMA-lite samples): hash,descriptor_id,time,tags
  kTeSignalLines,  // threatexchange dataset -P: `pdq <hash> ...`
  kCsv,            // a header naming the hash column (see list_csv::HeaderKind)
  kHashveilJson,   // hashveil hash --json, JSON Lines
  kHma2Json,       // HMA 2 bank content objects, JSON Lines
};

// The layout's name as ParsedHashList::format reports it.
const char* LayoutName(Layout layout);

// One row's outcome: its entries (line numbers filled in by the caller), or why it is bad.
struct RowResult {
  std::vector<HashListEntry> entries;
  const char* reason = nullptr;

  bool ok() const { return reason == nullptr; }
  static RowResult Bad(const char* why) { return {{}, why}; }
  static RowResult One(const matcher::PdqHash& hash, std::optional<std::uint32_t> quality) {
    return {{HashListEntry{hash, quality, 0}}, nullptr};
  }
};

// A row together with the layout its shape belongs to (kUndecided when it has none of them).
struct Classified {
  Layout layout = Layout::kUndecided;
  RowResult row;
};

// A bad row of `layout` (kUndecided: of no known layout).
inline Classified Refused(Layout layout, const char* why) { return {layout, RowResult::Bad(why)}; }

// Headerless text rows: hash-first rows and `pdq <hash>` lines (hash_list_rows.cpp).
Classified ClassifyTextRow(std::string_view line);

// JSON Lines rows: a line starting with `{` or `[` (hash_list_json.cpp).
bool LooksLikeJson(std::string_view line);
Classified ClassifyJsonRow(std::string_view line);

}  // namespace hashveil::hashdb::list_layouts
