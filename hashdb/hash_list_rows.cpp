// Headerless text rows of hash lists: what follows a hash tells its layout (docs/hashdb.md,
// "Import formats", for the rule and the sources each shape was checked against).
#include <algorithm>
#include <array>

#include "hash_list_fields.h"
#include "hash_list_layouts.h"

namespace hashveil::hashdb::list_layouts {
namespace {

using namespace list_fields;

constexpr std::string_view kHashPrefix = "hash=";
constexpr std::string_view kQualityKey = "quality";
constexpr std::string_view kTeSignalPrefix = "pdq ";
constexpr std::size_t kHexDigits = 64;
constexpr std::size_t kDihedralHashes = 8;
// pdq-photo-hasher --pdqdih-across --details: the 7 variants besides `orig` (= the hash).
constexpr std::array<std::string_view, 7> kDihedralKeys = {"rot90", "rot180", "rot270", "flipx",
                                                           "flipy", "flipp",  "flipm"};

constexpr const char* kNotAHash = "not a 64-digit hex PDQ hash";
constexpr const char* kBadQuality = "quality is not an integer 0..100";

RowResult WithQuality(std::vector<matcher::PdqHash> hashes, std::optional<std::uint32_t> quality) {
  RowResult row;
  for (const matcher::PdqHash& hash : hashes) row.entries.push_back({hash, quality, 0});
  return row;
}

// `pdq <hash>[ <collab> <metadata>]`: threatexchange dataset -P's print format.
Classified TeSignalLine(std::string_view line) {
  line.remove_prefix(kTeSignalPrefix.size());
  const auto hash = ParseHash(line.substr(0, std::min(line.find(' '), line.size())));
  // Without a hash it may still be a header (`pdq ,quality`).
  if (!hash) return Refused(Layout::kUndecided, "pdq signal line without a 64-digit hex hash");
  return {Layout::kTeSignalLines, RowResult::One(*hash, std::nullopt)};
}

// Extras in key=value form: pdq-photo-hasher --details (`quality=N`, and with --pdqdih-across the
// 7 other dihedral hashes as rot90=...). Other keys are ignored.
Classified KeyValueRow(const matcher::PdqHash& hash, const std::vector<std::string_view>& fields) {
  std::vector<matcher::PdqHash> hashes = {hash};
  std::optional<std::uint32_t> quality;
  for (const std::string_view field : fields) {
    const std::size_t eq = field.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = field.substr(0, eq), value = field.substr(eq + 1);
    if (key == kQualityKey) {
      quality = ParseQuality(value);
      if (!quality) return Refused(Layout::kHexLines, kBadQuality);
    } else if (std::find(kDihedralKeys.begin(), kDihedralKeys.end(), key) != kDihedralKeys.end()) {
      const auto variant = ParseHash(value);
      if (!variant) {
        return Refused(Layout::kHexLines, "a dihedral field is not a 64-digit hex PDQ hash");
      }
      hashes.push_back(*variant);
    }
  }
  return {Layout::kHexLines, WithQuality(std::move(hashes), quality)};
}

// `h0,h1,...,h7,quality[,path]`: all 8 hashes, each with the row's quality (which it must state).
Classified DihedralRow(const matcher::PdqHash& hash, const std::vector<std::string_view>& fields) {
  std::vector<matcher::PdqHash> hashes = {hash};
  for (std::size_t i = 0; i + 1 < kDihedralHashes && i < fields.size(); ++i) {
    const auto variant = ParseHash(fields[i]);
    if (!variant) break;
    hashes.push_back(*variant);
  }
  if (hashes.size() != kDihedralHashes) {
    return Refused(Layout::kUndecided,
                   "unknown column layout: more than one hash, but not the 8 of a dihedral row");
  }
  const auto quality = fields.size() > kDihedralHashes - 1
                           ? ParseQuality(fields[kDihedralHashes - 1])
                           : std::nullopt;
  if (!quality) return Refused(Layout::kDihedralRows, "dihedral row without a quality 0..100");
  return {Layout::kDihedralRows, WithQuality(std::move(hashes), quality)};
}

// A number right after the hash: an HMA 1.0 or pytx-cache row (an id followed by a ThreatExchange
// timestamp in a fixed position), else the reference hashers' `hash,quality,path`. An id of at
// most 3 digits in an id-shaped row could be either: refused.
Classified NumericRow(const matcher::PdqHash& hash, const std::vector<std::string_view>& fields) {
  const bool hma1 =
      fields.size() == 4 && IsId(fields[0]) && IsId(fields[1]) && IsTeTimestamp(fields[2]);
  const bool te_cache = fields.size() == 3 && IsId(fields[0]) && IsTeTimestamp(fields[1]);
  const bool short_number = fields[0].size() <= 3;
  if (hma1 || te_cache) {
    const Layout layout = hma1 ? Layout::kHma1Rows : Layout::kTeCacheRows;
    if (short_number) {
      return Refused(layout,
                     "ambiguous row: a ThreatExchange id of at most 3 digits or hash,quality,path "
                     "with commas in the path");
    }
    return {layout, RowResult::One(hash, std::nullopt)};
  }
  if (!short_number) {
    return Refused(Layout::kUndecided,
                   "unknown column layout: a number after the hash that is "
                   "neither a quality nor an HMA 1.0 row's id");
  }
  const auto quality = ParseQuality(fields[0]);
  if (!quality) return Refused(Layout::kHexLines, kBadQuality);
  return {Layout::kHexLines, RowResult::One(hash, quality)};
}

// Whitespace-separated extras (hashio metadata, threatexchange dataset -P -s pdq): a first field
// of digits is a quality, as are `quality=N` fields.
Classified WhitespaceExtras(const matcher::PdqHash& hash, std::string_view rest) {
  std::vector<std::string_view> fields;
  for (std::string_view field : SplitPlain(rest, ' ')) {
    for (std::string_view part : SplitPlain(field, '\t')) {
      if (!part.empty()) fields.push_back(part);
    }
  }
  if (!fields.empty() && AllDigits(fields[0])) {
    const auto quality = ParseQuality(fields[0]);
    if (!quality) return Refused(Layout::kHexLines, kBadQuality);
    return {Layout::kHexLines, RowResult::One(hash, quality)};
  }
  return KeyValueRow(hash, fields);
}

// Comma-separated extras, told apart by their first field; else key=value fields or hashio's
// free metadata.
Classified CommaExtras(const matcher::PdqHash& hash, std::string_view rest) {
  const std::vector<std::string_view> fields = SplitPlain(rest, ',');
  if (ParseHash(fields[0])) return DihedralRow(hash, fields);
  if (AllDigits(fields[0])) return NumericRow(hash, fields);
  return KeyValueRow(hash, fields);
}

}  // namespace

Classified ClassifyTextRow(std::string_view line) {
  if (line.substr(0, kTeSignalPrefix.size()) == kTeSignalPrefix) return TeSignalLine(line);
  if (line.substr(0, kHashPrefix.size()) == kHashPrefix) line.remove_prefix(kHashPrefix.size());
  const auto hash =
      line.size() >= kHexDigits ? ParseHash(line.substr(0, kHexDigits)) : std::nullopt;
  if (!hash) return Refused(Layout::kUndecided, kNotAHash);
  const std::string_view rest = line.substr(kHexDigits);
  if (rest.empty()) return {Layout::kHexLines, RowResult::One(*hash, std::nullopt)};
  switch (rest.front()) {
    case ',':
      return CommaExtras(*hash, rest.substr(1));
    case ' ':
    case '\t':
      return WhitespaceExtras(*hash, rest.substr(1));
    default:
      return Refused(Layout::kUndecided, kNotAHash);
  }
}

}  // namespace hashveil::hashdb::list_layouts
