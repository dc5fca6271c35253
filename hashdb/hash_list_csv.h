// CSV/TSV hash lists: a header line names the hash column (hash_list_parser.h; docs/hashdb.md,
// "Import formats").
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "hash_list_layouts.h"

namespace hashveil::hashdb::list_csv {

// Which column name made the header: it fixes the format's name and its row rules.
enum class HeaderKind {
  kHashColumn,  // `hash` or `pdq`, optional `quality`
  kTeDataset,   // threatexchange dataset -P --csv: signal_type,signal_str,collab,category,tags
  kTeUi,        // the ThreatExchange UI's CSV download: td_raw_indicator among td_* columns
};

struct Header {
  HeaderKind kind = HeaderKind::kHashColumn;
  char delimiter = ',';
  std::size_t hash_column = 0;
  std::optional<std::size_t> quality_column;
  std::optional<std::size_t> signal_type_column;  // kTeDataset: rows must say `pdq`
};

// A header, or why the line is none (a fixed text; the line is no known layout's first record).
struct HeaderVerdict {
  std::optional<Header> header;
  const char* reason = nullptr;
};

HeaderVerdict ParseHeader(std::string_view line);

const char* HeaderFormatName(HeaderKind kind);

list_layouts::RowResult ParseCsvRow(std::string_view line, const Header& header);

}  // namespace hashveil::hashdb::list_csv
