// Hash-list text (hex per line, hash=..., CSV/TSV with a header) to entries and bad lines.
#include <cstdint>
#include <span>

#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"
#include "hash_list_parser.h"

namespace hashveil::fuzz {
namespace {

void ParseList(std::span<const std::uint8_t> data) {
  const hashdb::ParsedHashList list = hashdb::ParseHashList(data);
  HV_FUZZ_CHECK(list.entries.size() + list.bad_lines.size() <= list.lines_read);
  std::uint64_t previous_line = 0;
  for (const hashdb::HashListEntry& entry : list.entries) {
    HV_FUZZ_CHECK(entry.line > previous_line && entry.line <= list.lines_read);
    HV_FUZZ_CHECK(!entry.quality || *entry.quality <= 100);
    previous_line = entry.line;
  }
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
