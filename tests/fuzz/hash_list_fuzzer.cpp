// Hash-list text in every layout ParseHashList knows (hex per line, dihedral rows, HMA 1.0 and
// ThreatExchange rows, CSV/TSV with a header, JSON Lines) to entries and bad lines.
#include <cstdint>
#include <span>

#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"
#include "hash_list_parser.h"

namespace hashveil::fuzz {
namespace {

// At most this many entries come from one line: a dihedral row's 8 hashes.
constexpr std::size_t kMaxEntriesPerLine = 8;

void ParseList(std::span<const std::uint8_t> data) {
  const hashdb::ParsedHashList list = hashdb::ParseHashList(data);
  std::uint64_t previous_line = 0, lines_with_entries = 0, entries_on_line = 0;
  for (const hashdb::HashListEntry& entry : list.entries) {
    HV_FUZZ_CHECK(entry.line >= previous_line && entry.line >= 1 && entry.line <= list.lines_read);
    HV_FUZZ_CHECK(!entry.quality || *entry.quality <= 100);
    entries_on_line = entry.line == previous_line ? entries_on_line + 1 : 1;
    HV_FUZZ_CHECK(entries_on_line <= kMaxEntriesPerLine);
    if (entry.line != previous_line) ++lines_with_entries;
    previous_line = entry.line;
  }
  HV_FUZZ_CHECK(lines_with_entries + list.bad_lines.size() <= list.lines_read);
  HV_FUZZ_CHECK(list.entries.empty() || !list.format.empty());
  for (const hashdb::BadLine& bad : list.bad_lines) {
    HV_FUZZ_CHECK(bad.line >= 1 && bad.line <= list.lines_read);
    HV_FUZZ_CHECK(!bad.reason.empty());
    // A reason never quotes the line (it may hold a hash).
    HV_FUZZ_CHECK(!MessageLeaks(bad.reason));
  }
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("hash_list", hashveil::fuzz::ParseList)
