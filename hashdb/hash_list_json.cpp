// JSON Lines rows of hash lists: hashveil hash --json records and HMA 2 bank content objects
// (docs/hashdb.md, "Import formats"). Parsed with nlohmann-json, without exceptions.
#include <nlohmann/json.hpp>

#include "hash_list_fields.h"
#include "hash_list_layouts.h"

namespace hashveil::hashdb::list_layouts {
namespace {

using nlohmann::json;

constexpr std::size_t kDihedralHashes = 8;

std::optional<matcher::PdqHash> HashMember(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return list_fields::ParseHash(it->get_ref<const std::string&>());
}

std::optional<std::uint32_t> QualityMember(const json& object) {
  const auto it = object.find("quality");
  if (it == object.end() || !it->is_number_unsigned()) return std::nullopt;
  const auto value = it->get<std::uint64_t>();
  if (value > 100) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

// {"path":..., "hash":..., "quality":..., ["dihedral":[8 hashes, the first the hash]]}: the hash,
// or the 8 dihedral hashes, each with the record's quality (which it must state).
Classified HashveilRecord(const json& object) {
  const auto hash = HashMember(object, "hash");
  if (!hash) return Refused(Layout::kHashveilJson, "\"hash\" is not a 64-digit hex PDQ hash");
  const auto quality = QualityMember(object);
  if (!quality) return Refused(Layout::kHashveilJson, "\"quality\" is not an integer 0..100");
  const auto dihedral = object.find("dihedral");
  if (dihedral == object.end()) return {Layout::kHashveilJson, RowResult::One(*hash, quality)};
  if (!dihedral->is_array() || dihedral->size() != kDihedralHashes) {
    return Refused(Layout::kHashveilJson, "\"dihedral\" is not an array of 8 hashes");
  }
  RowResult row;
  for (const json& item : *dihedral) {
    const auto variant = item.is_string()
                             ? list_fields::ParseHash(item.get_ref<const std::string&>())
                             : std::nullopt;
    if (!variant) return Refused(Layout::kHashveilJson, "a \"dihedral\" hash is not 64 hex digits");
    row.entries.push_back({*variant, quality, 0});
  }
  if (!(row.entries.front().hash == *hash)) {
    return Refused(Layout::kHashveilJson, "\"dihedral\" does not start with the record's hash");
  }
  return {Layout::kHashveilJson, row};
}

// HMA 2 bank content ({"id":..., "signals":{"pdq":...}, ...}): its pdq signal, no quality.
Classified Hma2Record(const json& object) {
  const json& signals = *object.find("signals");
  if (!signals.is_object()) return Refused(Layout::kHma2Json, "\"signals\" is not an object");
  if (!signals.contains("pdq")) {
    return Refused(Layout::kHma2Json, "bank content without a pdq signal");
  }
  const auto hash = HashMember(signals, "pdq");
  if (!hash) return Refused(Layout::kHma2Json, "the pdq signal is not a 64-digit hex PDQ hash");
  return {Layout::kHma2Json, RowResult::One(*hash, std::nullopt)};
}

}  // namespace

bool LooksLikeJson(std::string_view line) {
  return !line.empty() && (line.front() == '{' || line.front() == '[');
}

Classified ClassifyJsonRow(std::string_view line) {
  if (line.front() == '[') {
    return Refused(Layout::kUndecided, "a JSON array: JSON Lines (one object per line) expected");
  }
  const json object = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return Refused(Layout::kUndecided, "not a JSON object");
  const bool hashveil = object.contains("hash") && object.contains("path");
  const bool hma2 = object.contains("signals");
  if (hashveil && !hma2) return HashveilRecord(object);
  if (hma2 && !object.contains("hash")) return Hma2Record(object);
  return Refused(Layout::kUndecided,
                 "unknown JSON record layout: neither hashveil hash --json nor HMA bank content");
}

}  // namespace hashveil::hashdb::list_layouts
