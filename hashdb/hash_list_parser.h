// Parses PDQ hash lists in the formats hash-list owners ship (docs/hashdb.md, "Import formats"):
//   - one hash per line, optionally prefixed `hash=`, optionally followed by extra fields after
//     a comma, tab or space (the reference's hashio and pdq-photo-hasher output: `hash,quality,
//     path` or `hash=...,quality=...,filename=...`);
//   - CSV/TSV whose header names a `hash` or `pdq` column and optionally a `quality` column.
// Blank lines and `#` comments are ignored; a UTF-8 BOM and CRLF line ends are accepted.
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
  std::uint64_t line = 0;                // 1-based
};

struct BadLine {
  std::uint64_t line = 0;  // 1-based
  std::string reason;      // what was wrong, never the line's content
};

struct ParsedHashList {
  std::vector<HashListEntry> entries;
  std::vector<BadLine> bad_lines;
  std::uint64_t lines_read = 0;  // every line, including blank, comment and header lines
};

// Parses a whole list. Never fails as a whole: every line that is neither a hash record, a
// header, blank nor a comment is reported in bad_lines and contributes no entry.
ParsedHashList ParseHashList(std::span<const std::uint8_t> bytes);

}  // namespace hashveil::hashdb
