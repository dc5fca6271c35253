#include "hash_list_parser.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace hashveil::hashdb {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kHashPrefix = "hash=";
constexpr std::string_view kQualityPrefix = "quality=";
constexpr std::size_t kHexDigits = 64;

std::string_view Trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A quality field: decimal 0..100. Returns nullopt for anything else.
std::optional<std::uint32_t> ParseQuality(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (value > 100) return std::nullopt;
  return value;
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Splits one CSV/TSV record: fields separated by `delimiter`, a field may be double-quoted with
// "" as an escaped quote. nullopt on an unterminated quote.
std::optional<std::vector<std::string>> SplitFields(std::string_view line, char delimiter) {
  std::vector<std::string> fields;
  std::size_t pos = 0;
  while (true) {
    std::string field;
    const std::size_t start = pos;
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t') && line[pos] != delimiter) {
      ++pos;
    }
    if (pos < line.size() && line[pos] == '"') {
      ++pos;
      while (true) {
        if (pos >= line.size()) return std::nullopt;
        if (line[pos] == '"') {
          if (pos + 1 < line.size() && line[pos + 1] == '"') {
            field.push_back('"');
            pos += 2;
            continue;
          }
          ++pos;
          break;
        }
        field.push_back(line[pos++]);
      }
      while (pos < line.size() && line[pos] != delimiter) ++pos;  // text after the closing quote
    } else {
      pos = start;
      while (pos < line.size() && line[pos] != delimiter) field.push_back(line[pos++]);
      field = std::string(Trim(field));
    }
    fields.push_back(std::move(field));
    if (pos >= line.size()) return fields;
    ++pos;  // the delimiter
  }
}

// The columns a header names.
struct Header {
  char delimiter = ',';
  std::size_t hash_column = 0;
  std::optional<std::size_t> quality_column;
};

enum class HeaderVerdict { kNotAHeader, kAmbiguous, kHeader };

HeaderVerdict ParseHeader(std::string_view line, Header& header) {
  header.delimiter = line.find('\t') != std::string_view::npos ? '\t' : ',';
  const auto fields = SplitFields(line, header.delimiter);
  if (!fields) return HeaderVerdict::kNotAHeader;
  std::optional<std::size_t> hash_column;
  header.quality_column.reset();
  for (std::size_t i = 0; i < fields->size(); ++i) {
    const std::string name = Lower(Trim((*fields)[i]));
    if (name == "hash" || name == "pdq") {
      if (hash_column) return HeaderVerdict::kAmbiguous;
      hash_column = i;
    } else if (name == "quality") {
      if (header.quality_column) return HeaderVerdict::kAmbiguous;
      header.quality_column = i;
    }
  }
  if (!hash_column) return HeaderVerdict::kNotAHeader;
  header.hash_column = *hash_column;
  return HeaderVerdict::kHeader;
}

// The outcome of one record line: an entry or the reason it is bad.
struct LineResult {
  std::optional<HashListEntry> entry;
  const char* reason = nullptr;
};

LineResult ParseHeaderlessLine(std::string_view line) {
  if (line.substr(0, kHashPrefix.size()) == kHashPrefix) line.remove_prefix(kHashPrefix.size());
  if (line.size() < kHexDigits) return {std::nullopt, "not a 64-digit hex PDQ hash"};
  auto hash = matcher::PdqHash::FromHex(line.substr(0, kHexDigits));
  if (!hash.ok()) return {std::nullopt, "not a 64-digit hex PDQ hash"};
  HashListEntry entry{*hash, std::nullopt, 0};
  std::string_view rest = line.substr(kHexDigits);
  if (rest.empty()) return {entry, nullptr};
  const char separator = rest.front();
  if (separator != ',' && separator != '\t' && separator != ' ') {
    return {std::nullopt, "not a 64-digit hex PDQ hash"};
  }
  // Extras: `hash,quality,path` (pdq-photo-hasher) or key=value fields with `quality=N`.
  const std::string_view delimiters = separator == ',' ? "," : " \t";
  bool first = true;
  while (!rest.empty()) {
    rest.remove_prefix(1);
    const std::size_t end = std::min(rest.find_first_of(delimiters), rest.size());
    const std::string_view field = Trim(rest.substr(0, end));
    rest.remove_prefix(end);
    std::optional<std::string_view> quality_text;
    if (first && AllDigits(field)) quality_text = field;
    if (field.substr(0, kQualityPrefix.size()) == kQualityPrefix) {
      quality_text = field.substr(kQualityPrefix.size());
    }
    if (quality_text) {
      entry.quality = ParseQuality(*quality_text);
      if (!entry.quality) return {std::nullopt, "quality is not an integer 0..100"};
      break;
    }
    first = false;
  }
  return {entry, nullptr};
}

LineResult ParseCsvLine(std::string_view line, const Header& header) {
  const auto fields = SplitFields(line, header.delimiter);
  if (!fields) return {std::nullopt, "unterminated quoted field"};
  if (header.hash_column >= fields->size() ||
      (header.quality_column && *header.quality_column >= fields->size())) {
    return {std::nullopt, "fewer fields than the header names"};
  }
  auto hash = matcher::PdqHash::FromHex(Trim((*fields)[header.hash_column]));
  if (!hash.ok()) return {std::nullopt, "hash column is not a 64-digit hex PDQ hash"};
  HashListEntry entry{*hash, std::nullopt, 0};
  if (header.quality_column) {
    entry.quality = ParseQuality(Trim((*fields)[*header.quality_column]));
    if (!entry.quality) return {std::nullopt, "quality column is not an integer 0..100"};
  }
  return {entry, nullptr};
}

}  // namespace

ParsedHashList ParseHashList(std::span<const std::uint8_t> bytes) {
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());

  ParsedHashList result;
  // Undecided until the first line that is a record or a header.
  enum class Layout { kUndecided, kHeaderless, kCsv } layout = Layout::kUndecided;
  Header header;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view raw = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    const std::uint64_t number = ++result.lines_read;

    if (raw.size() > kMaxHashListLineBytes) {
      result.bad_lines.push_back({number, "line longer than 65536 bytes"});
      continue;
    }
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;

    LineResult parsed;
    switch (layout) {
      case Layout::kCsv:
        parsed = ParseCsvLine(line, header);
        break;
      case Layout::kHeaderless:
        parsed = ParseHeaderlessLine(line);
        break;
      case Layout::kUndecided:
        parsed = ParseHeaderlessLine(line);
        if (parsed.entry) {
          layout = Layout::kHeaderless;
          break;
        }
        switch (ParseHeader(line, header)) {
          case HeaderVerdict::kHeader:
            layout = Layout::kCsv;
            continue;
          case HeaderVerdict::kAmbiguous:
            parsed.reason = "header names more than one hash/pdq or quality column";
            break;
          case HeaderVerdict::kNotAHeader:
            parsed.reason = "neither a PDQ hash nor a header naming a hash or pdq column";
            break;
        }
        break;
    }
    if (parsed.entry) {
      parsed.entry->line = number;
      result.entries.push_back(*parsed.entry);
    } else {
      result.bad_lines.push_back({number, parsed.reason});
    }
  }
  return result;
}

}  // namespace hashveil::hashdb
