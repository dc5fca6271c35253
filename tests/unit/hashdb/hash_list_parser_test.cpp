#include "hash_list_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "support/test_paths.h"

namespace hashveil::hashdb {
namespace {

constexpr char kA[] = "f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95";
constexpr char kB[] = "b062eb9d2ab170c0567fcb672d9a5548c5612982dd5e374a7424ebbc8b135cb5";

ParsedHashList Parse(const std::string& text) {
  return ParseHashList(
      std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::string Hex(const HashListEntry& entry) { return entry.hash.ToHex(); }

TEST(HashListParserTest, HexPerLineIgnoringBlankLinesAndComments) {
  const auto list = Parse(std::string("# a list\n") + kA + "\n\n   \n" + kB + "\n");
  EXPECT_TRUE(list.bad_lines.empty());
  EXPECT_EQ(list.lines_read, 5u);
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(Hex(list.entries[0]), kA);
  EXPECT_EQ(list.entries[0].line, 2u);
  EXPECT_FALSE(list.entries[0].quality.has_value());
  EXPECT_EQ(list.entries[1].line, 5u);
}

TEST(HashListParserTest, AcceptsUpperCaseHexCrlfBomAndNoFinalNewline) {
  std::string upper = kA;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto list = Parse("\xEF\xBB\xBF" + upper + "\r\n" + kB);
  EXPECT_TRUE(list.bad_lines.empty());
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(Hex(list.entries[0]), kA);
  EXPECT_EQ(Hex(list.entries[1]), kB);
  EXPECT_EQ(list.lines_read, 2u);
}

TEST(HashListParserTest, ReadsTheReferenceHasherOutputsWithQuality) {
  // pdq-photo-hasher: `hash,quality,path`, and its detailed `key=value` form.
  const auto list = Parse(std::string(kA) + ",87,photos/a b.jpg\n" + "hash=" + kB +
                          ",norm=128,delta=0,quality=64,filename=x.jpg\n");
  EXPECT_TRUE(list.bad_lines.empty());
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(list.entries[0].quality, 87u);
  EXPECT_EQ(Hex(list.entries[1]), kB);
  EXPECT_EQ(list.entries[1].quality, 64u);
}

TEST(HashListParserTest, IgnoresExtraFieldsThatAreNotAQuality) {
  // The reference's hashio: metadata after a comma; also whitespace-separated extras.
  const auto list = Parse(std::string(kA) + ",idx=3\n" + kB + "  some note\n" + kA + "\tx\n");
  EXPECT_TRUE(list.bad_lines.empty());
  ASSERT_EQ(list.entries.size(), 3u);
  for (const auto& entry : list.entries) EXPECT_FALSE(entry.quality.has_value());
}

TEST(HashListParserTest, CsvWithHeaderNamingPdqAndQualityColumns) {
  const auto list = Parse(std::string("id,Quality,PDQ\n") + "1,90," + kA + "\n" +
                          "\"2, second\",55,\"" + kB + "\"\n");
  EXPECT_TRUE(list.bad_lines.empty());
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(Hex(list.entries[0]), kA);
  EXPECT_EQ(list.entries[0].quality, 90u);
  EXPECT_EQ(Hex(list.entries[1]), kB);
  EXPECT_EQ(list.entries[1].quality, 55u);
  EXPECT_EQ(list.entries[1].line, 3u);
}

TEST(HashListParserTest, TsvWithHashColumnAndNoQuality) {
  const auto list = Parse(std::string("hash\tnote\n") + kA + "\tfirst one\n" + kB + "\t\n");
  EXPECT_TRUE(list.bad_lines.empty());
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_FALSE(list.entries[0].quality.has_value());
  EXPECT_EQ(Hex(list.entries[1]), kB);
}

TEST(HashListParserTest, ReportsBadLinesByNumberWithoutTheirContent) {
  const std::string secret_looking = "deadbeefcafe";
  const auto list = Parse(std::string(kA) + "\n" + secret_looking + "\n" + kB + ",101,x\n" +
                          kA + "zz\n" + kB + "\n");
  ASSERT_EQ(list.entries.size(), 2u);
  ASSERT_EQ(list.bad_lines.size(), 3u);
  EXPECT_EQ(list.bad_lines[0].line, 2u);
  EXPECT_EQ(list.bad_lines[1].line, 3u);
  EXPECT_NE(list.bad_lines[1].reason.find("quality"), std::string::npos);
  EXPECT_EQ(list.bad_lines[2].line, 4u);
  for (const auto& bad : list.bad_lines) {
    EXPECT_EQ(bad.reason.find(secret_looking), std::string::npos);
    EXPECT_EQ(bad.reason.find(kA), std::string::npos);
  }
}

TEST(HashListParserTest, CsvBadRows) {
  const auto list = Parse(std::string("hash,quality\n") + kA + "\n" + kA + ",\n" + "nothex,50\n" +
                          "\"" + kA + ",50\n" + kB + ",50\n");
  ASSERT_EQ(list.entries.size(), 1u);
  EXPECT_EQ(list.entries[0].line, 6u);
  ASSERT_EQ(list.bad_lines.size(), 4u);
  EXPECT_EQ(list.bad_lines[0].line, 2u);  // too few fields
  EXPECT_EQ(list.bad_lines[1].line, 3u);  // empty quality
  EXPECT_EQ(list.bad_lines[2].line, 4u);  // not a hash
  EXPECT_EQ(list.bad_lines[3].line, 5u);  // unterminated quote
}

TEST(HashListParserTest, RefusesAHeaderWithoutAHashColumnOrWithTwo) {
  EXPECT_EQ(Parse(std::string("md5,path\n") + kA + "\n").bad_lines.at(0).line, 1u);
  const auto twice = Parse(std::string("hash,pdq\n") + kA + "," + kB + "\n");
  ASSERT_FALSE(twice.bad_lines.empty());
  EXPECT_EQ(twice.bad_lines[0].line, 1u);
  EXPECT_NE(twice.bad_lines[0].reason.find("more than one"), std::string::npos);
}

TEST(HashListParserTest, BoundsVeryLongLines) {
  const std::string long_line(kMaxHashListLineBytes + 1, 'a');
  const auto list = Parse(std::string(kA) + "\n" + long_line + "\n" + kB + "\n");
  ASSERT_EQ(list.bad_lines.size(), 1u);
  EXPECT_EQ(list.bad_lines[0].line, 2u);
  EXPECT_EQ(list.entries.size(), 2u);
}

TEST(HashListParserTest, EmptyInputHasNoLines) {
  const auto list = Parse("");
  EXPECT_EQ(list.lines_read, 0u);
  EXPECT_TRUE(list.entries.empty());
  EXPECT_TRUE(list.bad_lines.empty());
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(HashListParserTest, ReadsTheReferenceHashLists) {
  const auto pdq = testing::PdqVectorsDir();
  const auto haystack = Parse(ReadText(pdq / "reg-test-input" / "haystack.txt"));
  EXPECT_TRUE(haystack.bad_lines.empty());
  EXPECT_EQ(haystack.entries.size(), 1350u);
  EXPECT_EQ(Hex(haystack.entries[0]), kA);

  const std::string csv = ReadText(pdq / "reference-hashes.csv");
  const auto reference = Parse(csv);
  EXPECT_TRUE(reference.bad_lines.empty());
  ASSERT_EQ(reference.entries.size(), reference.lines_read - 1);  // minus the header
  EXPECT_EQ(reference.entries[0].quality, 100u);
}

}  // namespace
}  // namespace hashveil::hashdb
