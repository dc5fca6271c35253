// Parses PDQ hash lists in the formats hash-list owners and the tools around PDQ ship
// (docs/hashdb.md, "Import formats", has the table, the rules and the sources checked). The first
// record, or a header line, fixes one layout per file; a later row of another layout is a bad line:
//   - a hash per line, optionally `hash=`-prefixed, with the reference tools' extras after a comma,
//     tab or space: `hash,quality,path` (pdq-photo-hasher, `hashveil hash`), key=value fields with
//     `quality=N` (pdq-photo-hasher --details), or free metadata (the reference's hashio);
//   - 8 dihedral hashes, quality, path (`hashveil hash --dihedral`, pdq-photo-hasher
//     --pdqdih-across): 8 entries with the row's quality, which such a row must state;
//   - HMA 1.0 data files `hash,indicator_id,descriptor_id,timestamp,tags` and pytx's cache
//     `hash,descriptor_id,timestamp,tags`: no quality (the id is never read as one);
//   - `pdq <hash> ...` lines (threatexchange dataset -P);
//   - CSV/TSV with a header naming `hash` or `pdq` (optional `quality`), `signal_str` with
//     `signal_type` (threatexchange dataset --csv; rows must be pdq) or `td_raw_indicator` (the
//     ThreatExchange UI's CSV download);
//   - JSON Lines: `hashveil hash --json` records (quality required; the dihedral hashes when
//     present) and HMA 2 bank content objects (`signals.pdq`).
// Anything else, an unknown column layout included, is a bad line: never guessed. Blank lines and
// `#` comments are ignored; a UTF-8 BOM and CRLF line ends are accepted.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hashveil/matcher/pdq_hash.h"

namespace hashveil::hashdb {

// Lines longer than this are bad lines (no list has a reason for them).
inline constexpr std::size_t kMaxHashListLineBytes = 64 * 1024;

struct HashListEntry {
  matcher::PdqHash hash;
  std::optional<std::uint32_t> quality;  // 0..100; none when the list states no quality
  std::uint64_t line = 0;                // 1-based; a dihedral row gives 8 entries of one line
};

struct BadLine {
  std::uint64_t line = 0;  // 1-based
  std::string reason;      // what was wrong, never the line's content
};

struct ParsedHashList {
  std::vector<HashListEntry> entries;
  std::vector<BadLine> bad_lines;
  std::uint64_t lines_read = 0;  // every line, including blank, comment and header lines
  // The layout the first record or header fixed ("hex-lines", "dihedral-rows", "hma1-rows",
  // "threatexchange-cache-rows", "threatexchange-signal-lines", "csv",
  // "threatexchange-dataset-csv", "threatexchange-ui-csv", "hashveil-json", "hma2-json"); empty
  // when no line fixed one.
  std::string format;
};

// Parses a whole list. Never fails as a whole: every line that is neither a record of the file's
// layout, its header, blank nor a comment is reported in bad_lines and contributes no entry.
ParsedHashList ParseHashList(std::span<const std::uint8_t> bytes);

}  // namespace hashveil::hashdb
