#include "hash_list_fields.h"

#include <algorithm>
#include <cctype>

namespace hashveil::hashdb::list_fields {
namespace {

constexpr std::size_t kHexDigits = 64;
constexpr std::size_t kMaxIdDigits = 20;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// `text` matches `pattern`, where 'd' stands for a digit and every other character for itself.
bool MatchesDigitPattern(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (pattern[i] == 'd' ? !IsDigit(text[i]) : text[i] != pattern[i]) return false;
  }
  return true;
}

}  // namespace

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

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsDigit);
}

std::optional<std::uint32_t> ParseQuality(std::string_view text) {
  if (text.size() > 3 || !AllDigits(text)) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : text) value = value * 10 + static_cast<std::uint32_t>(c - '0');
  if (value > 100) return std::nullopt;
  return value;
}

std::optional<matcher::PdqHash> ParseHash(std::string_view text) {
  if (text.size() != kHexDigits) return std::nullopt;
  auto hash = matcher::PdqHash::FromHex(text);
  if (!hash.ok()) return std::nullopt;
  return *hash;
}

bool IsId(std::string_view text) { return text.size() <= kMaxIdDigits && AllDigits(text); }

bool IsTeTimestamp(std::string_view text) {
  return MatchesDigitPattern(text, "dddd-dd-ddTdd:dd:dd+dddd") ||
         MatchesDigitPattern(text, "dddd-dd-ddTdd:dd:dd-dddd");
}

std::vector<std::string_view> SplitPlain(std::string_view line, char delimiter) {
  std::vector<std::string_view> fields;
  while (true) {
    const std::size_t end = line.find(delimiter);
    fields.push_back(Trim(line.substr(0, end)));
    if (end == std::string_view::npos) return fields;
    line.remove_prefix(end + 1);
  }
}

std::optional<std::vector<std::string>> SplitQuoted(std::string_view line, char delimiter) {
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

}  // namespace hashveil::hashdb::list_fields
