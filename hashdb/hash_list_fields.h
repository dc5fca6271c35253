// Text helpers shared by the hash-list layouts (hash_list_parser.h): trimming, field splitting and
// the small field shapes the layouts are recognised by (a 64-digit hash, a quality, a
// ThreatExchange id or timestamp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashveil/matcher/pdq_hash.h"

namespace hashveil::hashdb::list_fields {

// Without leading and trailing spaces, tabs and carriage returns.
std::string_view Trim(std::string_view text);

std::string Lower(std::string_view text);

bool AllDigits(std::string_view text);

// A quality field: decimal 0..100, at most 3 digits. nullopt for anything else.
std::optional<std::uint32_t> ParseQuality(std::string_view text);

// Exactly 64 hex digits, either case.
std::optional<matcher::PdqHash> ParseHash(std::string_view text);

// A ThreatExchange id (indicator, descriptor): 1..20 decimal digits.
bool IsId(std::string_view text);

// A ThreatExchange timestamp as its API and pytx write them: 2020-07-31T18:47:52+0000.
bool IsTeTimestamp(std::string_view text);

// Splits on every `delimiter`, no quoting, each field trimmed (the reference hashers' and
// hashveil's own rows, whose paths are printed unquoted).
std::vector<std::string_view> SplitPlain(std::string_view line, char delimiter);

// Splits one CSV/TSV record: fields separated by `delimiter`, a field may be double-quoted with
// "" as an escaped quote. nullopt on an unterminated quote.
std::optional<std::vector<std::string>> SplitQuoted(std::string_view line, char delimiter);

}  // namespace hashveil::hashdb::list_fields
