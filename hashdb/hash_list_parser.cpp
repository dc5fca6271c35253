#include "hash_list_parser.h"

#include <algorithm>
#include <string_view>

#include "hash_list_csv.h"
#include "hash_list_fields.h"
#include "hash_list_layouts.h"

namespace hashveil::hashdb {

namespace list_layouts {

const char* LayoutName(Layout layout) {
  switch (layout) {
    case Layout::kUndecided:
      return "";
    case Layout::kHexLines:
      return "hex-lines";
    case Layout::kDihedralRows:
      return "dihedral-rows";
    case Layout::kHma1Rows:
      return "hma1-rows";
    case Layout::kTeCacheRows:
      return "threatexchange-cache-rows";
    case Layout::kTeSignalLines:
      return "threatexchange-signal-lines";
    case Layout::kCsv:
      return "csv";
    case Layout::kHashveilJson:
      return "hashveil-json";
    case Layout::kHma2Json:
      return "hma2-json";
  }
  return "";
}

}  // namespace list_layouts

namespace {

using list_layouts::Classified;
using list_layouts::Layout;
using list_layouts::RowResult;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The layout state of one file: undecided until its first record or header.
class LayoutState {
 public:
  // The row's entries or why it is bad; nullopt for a header line.
  std::optional<RowResult> Parse(std::string_view line, std::string& format) {
    if (layout_ == Layout::kCsv) return list_csv::ParseCsvRow(line, header_);
    const Classified row = list_layouts::LooksLikeJson(line) ? list_layouts::ClassifyJsonRow(line)
                                                             : list_layouts::ClassifyTextRow(line);
    if (layout_ == Layout::kUndecided) return Decide(line, row, format);
    if (row.layout == layout_) return row.row;
    if (row.layout == Layout::kUndecided && layout_ == Layout::kTeSignalLines) {
      return RowResult::Bad("not a `pdq <hash>` line (another signal type?)");
    }
    if (row.layout == Layout::kUndecided) return row.row;
    return RowResult::Bad("row layout differs from the layout the file's first record set");
  }

 private:
  // The first record fixes the layout; a line that is no record may be the header.
  std::optional<RowResult> Decide(std::string_view line, const Classified& row,
                                  std::string& format) {
    if (row.layout != Layout::kUndecided) {
      if (row.row.ok()) {
        layout_ = row.layout;
        format = list_layouts::LayoutName(layout_);
      }
      return row.row;
    }
    if (list_layouts::LooksLikeJson(line)) return row.row;
    const list_csv::HeaderVerdict verdict = list_csv::ParseHeader(line);
    if (!verdict.header) return RowResult::Bad(verdict.reason);
    layout_ = Layout::kCsv;
    header_ = *verdict.header;
    format = list_csv::HeaderFormatName(header_.kind);
    return std::nullopt;
  }

  Layout layout_ = Layout::kUndecided;
  list_csv::Header header_;
};

}  // namespace

ParsedHashList ParseHashList(std::span<const std::uint8_t> bytes) {
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());

  ParsedHashList result;
  LayoutState state;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view raw = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    const std::uint64_t number = ++result.lines_read;

    if (raw.size() > kMaxHashListLineBytes) {
      result.bad_lines.push_back({number, "line longer than 65536 bytes"});
      continue;
    }
    const std::string_view line = list_fields::Trim(raw);
    if (line.empty() || line.front() == '#') continue;

    const std::optional<RowResult> row = state.Parse(line, result.format);
    if (!row) continue;  // the header
    if (!row->ok()) {
      result.bad_lines.push_back({number, row->reason});
      continue;
    }
    for (HashListEntry entry : row->entries) {
      entry.line = number;
      result.entries.push_back(entry);
    }
  }
  return result;
}

}  // namespace hashveil::hashdb
