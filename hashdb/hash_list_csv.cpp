#include "hash_list_csv.h"

#include <string>
#include <vector>

#include "hash_list_fields.h"

namespace hashveil::hashdb::list_csv {
namespace {

using list_fields::Lower;
using list_fields::Trim;
using list_layouts::RowResult;

constexpr const char* kAmbiguous =
    "header names more than one hash column (hash, pdq, signal_str, td_raw_indicator) or more "
    "than one quality column";

// The header kind a column name makes, if it names a hash column.
std::optional<HeaderKind> HashColumnKind(const std::string& name) {
  if (name == "hash" || name == "pdq") return HeaderKind::kHashColumn;
  if (name == "signal_str") return HeaderKind::kTeDataset;
  if (name == "td_raw_indicator") return HeaderKind::kTeUi;
  return std::nullopt;
}

// Records `column` in `slot`; false when the slot was already taken.
bool TakeColumn(std::optional<std::size_t>& slot, std::size_t column) {
  if (slot) return false;
  slot = column;
  return true;
}

}  // namespace

HeaderVerdict ParseHeader(std::string_view line) {
  Header header;
  header.delimiter = line.find('\t') != std::string_view::npos ? '\t' : ',';
  const auto fields = list_fields::SplitQuoted(line, header.delimiter);
  if (!fields) return {std::nullopt, "unterminated quoted field"};
  std::optional<std::size_t> hash_column;
  for (std::size_t i = 0; i < fields->size(); ++i) {
    const std::string name = Lower(Trim((*fields)[i]));
    const auto kind = HashColumnKind(name);
    bool unique = true;
    if (kind) {
      unique = TakeColumn(hash_column, i);
      header.kind = *kind;
    } else if (name == "quality") {
      unique = TakeColumn(header.quality_column, i);
    } else if (name == "signal_type") {
      unique = TakeColumn(header.signal_type_column, i);
    }
    if (!unique) return {std::nullopt, kAmbiguous};
  }
  if (!hash_column) {
    return {std::nullopt,
            "unknown column layout: neither a hash record nor a header naming a hash column "
            "(hash, pdq, signal_str, td_raw_indicator)"};
  }
  if (header.kind == HeaderKind::kTeDataset && !header.signal_type_column) {
    return {std::nullopt, "unknown column layout: a signal_str column without signal_type"};
  }
  header.hash_column = *hash_column;
  return {header, nullptr};
}

const char* HeaderFormatName(HeaderKind kind) {
  switch (kind) {
    case HeaderKind::kHashColumn:
      return "csv";
    case HeaderKind::kTeDataset:
      return "threatexchange-dataset-csv";
    case HeaderKind::kTeUi:
      return "threatexchange-ui-csv";
  }
  return "csv";
}

RowResult ParseCsvRow(std::string_view line, const Header& header) {
  const auto fields = list_fields::SplitQuoted(line, header.delimiter);
  if (!fields) return RowResult::Bad("unterminated quoted field");
  const auto has = [&](std::optional<std::size_t> column) {
    return !column || *column < fields->size();
  };
  if (header.hash_column >= fields->size() || !has(header.quality_column) ||
      !has(header.signal_type_column)) {
    return RowResult::Bad("fewer fields than the header names");
  }
  if (header.signal_type_column && Lower(Trim((*fields)[*header.signal_type_column])) != "pdq") {
    return RowResult::Bad("signal_type is not pdq");
  }
  const auto hash = list_fields::ParseHash(Trim((*fields)[header.hash_column]));
  if (!hash) return RowResult::Bad("hash column is not a 64-digit hex PDQ hash");
  std::optional<std::uint32_t> quality;
  if (header.quality_column) {
    quality = list_fields::ParseQuality(Trim((*fields)[*header.quality_column]));
    if (!quality) return RowResult::Bad("quality column is not an integer 0..100");
  }
  return RowResult::One(*hash, quality);
}

}  // namespace hashveil::hashdb::list_csv
