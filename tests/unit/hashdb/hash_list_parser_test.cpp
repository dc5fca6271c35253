#include "hash_list_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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
  EXPECT_EQ(list.format, "hex-lines");
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
  EXPECT_EQ(list.format, "csv");
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

// Every reason is a fixed text: no hash (no long hex run) and no other content of the line.
void ExpectReasonsLeakNothing(const ParsedHashList& list) {
  for (const auto& bad : list.bad_lines) {
    std::size_t run = 0, longest = 0;
    for (const char c : bad.reason) {
      run = std::isxdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    EXPECT_LT(longest, 32u) << "line " << bad.line;
  }
}

// The list's bad lines by number, each reason holding its expected part (empty: any reason), and
// no reason leaking content.
struct ExpectedBad {
  std::uint64_t line;
  std::string reason_part;
};
void ExpectBadLines(const ParsedHashList& list, const std::vector<ExpectedBad>& expected) {
  ASSERT_EQ(list.bad_lines.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(list.bad_lines[i].line, expected[i].line);
    EXPECT_NE(list.bad_lines[i].reason.find(expected[i].reason_part), std::string::npos)
        << "line " << expected[i].line << ": " << list.bad_lines[i].reason;
  }
  ExpectReasonsLeakNothing(list);
}

// The list's format and its entries' hashes, in order, none with a quality.
void ExpectUnratedHashes(const ParsedHashList& list, const std::string& format,
                         const std::vector<std::string>& hashes) {
  EXPECT_EQ(list.format, format);
  ASSERT_EQ(list.entries.size(), hashes.size());
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    EXPECT_EQ(Hex(list.entries[i]), hashes[i]);
    EXPECT_FALSE(list.entries[i].quality.has_value());
  }
}

// 8 distinct hashes, as `hashveil hash --dihedral` prints them (original first).
std::vector<std::string> DihedralHashes() {
  std::vector<std::string> hashes;
  for (char c = '0'; c < '8'; ++c) hashes.push_back(c + std::string(kA).substr(1));
  return hashes;
}

std::string Joined(const std::vector<std::string>& fields) {
  std::string line;
  for (const auto& field : fields) line += (line.empty() ? "" : ",") + field;
  return line;
}

TEST(HashListParserTest, HashveilDihedralRowsImportAllEightHashesWithTheirQuality) {
  // `hashveil hash --dihedral` (= pdq-photo-hasher --pdqdih-across): 8 hashes, quality, path. The
  // old parser took the first hash alone, without the quality.
  const auto hashes = DihedralHashes();
  const auto list = Parse(Joined(hashes) + ",87,photos/a,b.jpg\n" + Joined(hashes) + ",100,x.jpg\n");
  EXPECT_TRUE(list.bad_lines.empty());
  EXPECT_EQ(list.format, "dihedral-rows");
  ASSERT_EQ(list.entries.size(), 16u);
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(Hex(list.entries[i]), hashes[i]);
    EXPECT_EQ(list.entries[i].quality, 87u);
    EXPECT_EQ(list.entries[i].line, 1u);
    EXPECT_EQ(list.entries[8 + i].quality, 100u);
    EXPECT_EQ(list.entries[8 + i].line, 2u);
  }
}

TEST(HashListParserTest, RefusesDihedralRowsWithoutQualityOrWithFewerHashes) {
  const auto hashes = DihedralHashes();
  const std::vector<std::string> three(hashes.begin(), hashes.begin() + 3);
  const auto list = Parse(Joined(hashes) + ",87,ok.jpg\n" + Joined(hashes) + ",photo.jpg\n" +
                          Joined(hashes) + ",101,x.jpg\n" + Joined(three) + ",87,x.jpg\n" + kA +
                          ",87,plain.jpg\n");
  EXPECT_EQ(list.entries.size(), 8u);
  ExpectBadLines(list, {{2, "without a quality"}, {3, "without a quality"},
                        {4, "unknown column layout"}, {5, "differs"}});  // 5: a one-hash row
}

TEST(HashListParserTest, ReferenceDetailedDihedralRowsImportAllEightHashes) {
  // pdq-photo-hasher --pdqdih-across --details.
  const auto h = DihedralHashes();
  const auto list = Parse("hash=" + h[0] + ",quality=64,orig=" + h[0] + ",rot90=" + h[1] +
                          ",rot180=" + h[2] + ",rot270=" + h[3] + ",flipx=" + h[4] + ",flipy=" +
                          h[5] + ",flipp=" + h[6] + ",flipm=" + h[7] + ",filename=a.jpg\n");
  EXPECT_TRUE(list.bad_lines.empty());
  ASSERT_EQ(list.entries.size(), 8u);
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(Hex(list.entries[i]), h[i]);
    EXPECT_EQ(list.entries[i].quality, 64u);
  }
}

TEST(HashListParserTest, HashveilJsonLines) {
  // `hashveil hash --json`, and with --dihedral (nlohmann-json prints the keys sorted).
  const auto h = DihedralHashes();
  std::string dihedral = "[";
  for (const auto& hash : h) dihedral += (dihedral.size() > 1 ? ",\"" : "\"") + hash + "\"";
  dihedral += "]";
  const auto list = Parse(std::string("{\"hash\":\"") + kB + "\",\"path\":\"photos/b.jpg\",\"quality\":55}\n" +
                          "{\"dihedral\":" + dihedral + ",\"hash\":\"" + h[0] +
                          "\",\"path\":\"a.jpg\",\"quality\":90}\n");
  EXPECT_TRUE(list.bad_lines.empty());
  EXPECT_EQ(list.format, "hashveil-json");
  ASSERT_EQ(list.entries.size(), 9u);
  EXPECT_EQ(Hex(list.entries[0]), kB);
  EXPECT_EQ(list.entries[0].quality, 55u);
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(Hex(list.entries[1 + i]), h[i]);
    EXPECT_EQ(list.entries[1 + i].quality, 90u);
    EXPECT_EQ(list.entries[1 + i].line, 2u);
  }
}

TEST(HashListParserTest, RefusesMalformedHashveilJsonRecords) {
  const std::string hash = std::string("\"hash\":\"") + kA + "\"";
  const auto list = Parse("{" + hash + ",\"path\":\"a.jpg\",\"quality\":80}\n" +       // good
                          "{" + hash + ",\"path\":\"a.jpg\"}\n" +                       // no quality
                          "{" + hash + ",\"path\":\"a.jpg\",\"quality\":101}\n" +       // out of range
                          "{" + hash + ",\"path\":\"a.jpg\",\"quality\":\"80\"}\n" +    // a string
                          "{" + hash + ",\"path\":\"a.jpg\",\"quality\":80,\"dihedral\":[]}\n" +
                          "{\"hash\":\"abc\",\"path\":\"a.jpg\",\"quality\":80}\n" +
                          "{" + hash + ",\"path\":\"a.jpg\",\"quality\":80\n" +          // truncated
                          "{\"id\":1,\"signals\":{\"pdq\":\"" + kB + "\"}}\n" +         // HMA 2 row
                          "{\"name\":\"x\"}\n");                                       // unknown
  EXPECT_EQ(list.entries.size(), 1u);
  ExpectBadLines(list, {{2, "quality"}, {3, "quality"}, {4, "quality"}, {5, "dihedral"},
                        {6, "\"hash\""}, {7, "not a JSON object"}, {8, "differs"},
                        {9, "unknown JSON record layout"}});
}

TEST(HashListParserTest, Hma2BankContentJsonLines) {
  // HMA 2 (OpenMediaMatch) bank content: POST /c/bank/<bank>/content's answer, and
  // GET /c/bank/<bank>/content/<id>?include_signals=true's (Flask's jsonify sorts the keys).
  const auto list = Parse(std::string("{\"id\": 1, \"signals\": {\"pdq\": \"") + kA + "\"}}\n" +
                          "{\"bank\":{\"matching_enabled_ratio\":1.0,\"name\":\"TEST_BANK\"}," +
                          "\"disable_until_ts\":-1,\"id\":2,\"original_media_uri\":null," +
                          "\"signals\":{\"pdq\":\"" + kB + "\",\"video_md5\":" +
                          "\"d41d8cd98f00b204e9800998ecf8427e\"}}\n" +
                          "{\"id\":3,\"signals\":{\"video_md5\":\"d41d8cd98f00b204e9800998ecf8427e\"}}\n" +
                          "{\"id\":4,\"signals\":{\"pdq\":\"not-a-hash\"}}\n" +
                          "{\"id\":5,\"signals\":[]}\n");
  ExpectUnratedHashes(list, "hma2-json", {kA, kB});
  ExpectBadLines(list, {{3, "without a pdq signal"}, {4, "not a 64-digit"}, {5, "not an object"}});
}

TEST(HashListParserTest, RefusesAJsonArray) {
  const auto list = Parse(std::string("[{\"id\":1,\"signals\":{\"pdq\":\"") + kA + "\"}}]\n");
  EXPECT_TRUE(list.entries.empty());
  ASSERT_EQ(list.bad_lines.size(), 1u);
  EXPECT_NE(list.bad_lines[0].reason.find("JSON Lines"), std::string::npos);
}

TEST(HashListParserTest, Hma1RowsAreNeverReadAsQuality) {
  // HMA 1.0's ThreatExchange data files (<privacy group>.hash_pdq.te, no header):
  // hash,indicator_id,descriptor_id,timestamp,tags. The old parser read the indicator id as a
  // quality: refused every real row (16-digit ids), and stored a quality for short ones.
  const auto list = Parse(
      std::string(kA) + ",2880742865368386,3085240538237227,2020-07-31T18:47:52+0000," +
      "media_priority_pdq_samples disputed media_priority_samples media_type_photo\n" + kB +
      ",3104082029674934,3121484721305243,2021-02-11T09:05:01+0000,\n");
  EXPECT_TRUE(list.bad_lines.empty());
  ExpectUnratedHashes(list, "hma1-rows", {kA, kB});
}

TEST(HashListParserTest, RefusesHma1RowsWhoseIdCouldBeAQuality) {
  // An id of 1..3 digits in an HMA-shaped row could as well be hash,quality,path with commas in
  // the path: refused, never stored as quality 25.
  const auto list = Parse(std::string(kA) + ",25,3085240538237227,2020-07-31T18:47:52+0000,tag\n" +
                          kB + ",7,2020-07-31T18:47:52+0000,tag\n");
  EXPECT_TRUE(list.entries.empty());
  ExpectBadLines(list, {{1, "ambiguous"}, {2, "ambiguous"}});
}

TEST(HashListParserTest, RefusesMalformedHma1Rows) {
  const std::string good = std::string(kA) + ",2880742865368386,3085240538237227,2020-07-31T18:47:52+0000,t\n";
  const auto list = Parse(good +
                          kB + ",2880742865368386,3085240538237227,2020-07-31,t\n" +        // date only
                          kB + ",2880742865368386,3085240538237227,2020-07-31T18:47:52+0000\n" +  // 4
                          kB + ",2880742865368386\n" +                                       // id only
                          kB + ",87,photo.jpg\n");                                           // other layout
  EXPECT_EQ(list.entries.size(), 1u);
  ExpectBadLines(list, {{2, "unknown column layout"}, {3, "unknown column layout"},
                        {4, "unknown column layout"}, {5, "differs"}});
}

TEST(HashListParserTest, ThreatExchangeCacheRows) {
  // pytx's simple.HASH_PDQ.te cache, as HMA-lite's sample_data/pdq.csv ships it:
  // hash,descriptor_id,added_on,labels.
  const auto list = Parse(std::string(kA) + ",2880742865368386,2020-07-31T18:47:52+0000," +
                          "media_priority_pdq_samples disputed media_priority_samples media_type_photo\n");
  EXPECT_TRUE(list.bad_lines.empty());
  ExpectUnratedHashes(list, "threatexchange-cache-rows", {kA});
}

TEST(HashListParserTest, ThreatExchangeDatasetCsv) {
  // threatexchange dataset -P --csv: every signal type, with a header.
  const auto list = Parse(std::string("signal_type,signal_str,collab,category,tags\r\n") +
                          "pdq," + kA + ",Sample Signals,INVESTIGATION_SEED,\r\n" +
                          "url,https://developers.facebook.com/docs/threat-exchange/reference/apis/," +
                          "Sample Signals,INVESTIGATION_SEED,\r\n" +
                          "pdq," + kB + ",Sample Signals,INVESTIGATION_SEED,tag1 tag2\r\n" +
                          "pdq,abcdef,Sample Signals,INVESTIGATION_SEED,\r\n");
  ExpectUnratedHashes(list, "threatexchange-dataset-csv", {kA, kB});
  ExpectBadLines(list, {{3, "signal_type is not pdq"}, {5, "not a 64-digit"}});
}

TEST(HashListParserTest, ThreatExchangeSignalLines) {
  // threatexchange dataset -P -S (`pdq <hash>`) and -P (then the collab and the category).
  const auto list = Parse(std::string("pdq ") + kA + "\npdq " + kB +
                          " 'Sample Signals' INVESTIGATION_SEED\n" +
                          "url https://developers.facebook.com/docs/threat-exchange/reference/apis/\n" +
                          "pdq 1234\n");
  ExpectUnratedHashes(list, "threatexchange-signal-lines", {kA, kB});
  ExpectBadLines(list, {{3, "pdq <hash>"}, {4, "pdq <hash>"}});
}

TEST(HashListParserTest, ThreatExchangeUiCsv) {
  // The ThreatExchange UI's CSV download (column names as te-tag-query's ThreatDescriptor.java
  // lists them); the hash is td_raw_indicator.
  const std::string header =
      "td_description,td_status,td_severity,td_share_level,td_review_status,td_raw_indicator,"
      "td_indicator,td_visibility,td_reactions_by_app,td_source_uri,td_reaction_count,"
      "td_same_indicator_count,td_related_count,td_creation_time,td_update_time,td_expire_time,"
      "td_first_active,td_last_active,td_owner_id,td_owner_name,td_subjective_tags,"
      "td_whitelist_apps,td_privacy_groups\n";
  const auto row = [](const std::string& description, const std::string& indicator) {
    return description + ",NON_MALICIOUS,INFO,AMBER,REVIEWED_AUTOMATICALLY," + indicator +
           ",[object Object],HAS_WHITELIST,,,0,2,4,2019-12-04T15:05:28-05:00," +
           "2019-12-04T15:05:28-05:00,,,,2061458520576715,Test App,testing;pwny," +
           "2061458520576715:Test App,\n";
  };
  const auto list = Parse(header + row("Testing bulk upload", kA) +
                          row("\"quoted, with a comma\"", kB) +
                          row("an md5", "e8b19da37825a3056e84c522f05eb001"));
  ExpectUnratedHashes(list, "threatexchange-ui-csv", {kA, kB});
  ExpectBadLines(list, {{4, "not a 64-digit"}});
}

TEST(HashListParserTest, RefusesUnknownColumnLayouts) {
  // Headers naming no known hash column, or two; signal_str without signal_type; a number after
  // the hash that is neither a quality nor an id-shaped row.
  for (const std::string header : {"md5,path", "indicator,added_on", "signal_str,collab",
                                   "pdq,td_raw_indicator", "hash,signal_str,signal_type"}) {
    const auto list = Parse(header + "\n" + kA + "\n");
    ASSERT_FALSE(list.bad_lines.empty()) << header;
    EXPECT_EQ(list.bad_lines[0].line, 1u) << header;
  }
  EXPECT_NE(Parse("md5,path\n").bad_lines.at(0).reason.find("unknown column layout"), std::string::npos);
  const auto numeric = Parse(std::string(kA) + ",12345,photo.jpg\n");
  EXPECT_TRUE(numeric.entries.empty());
  EXPECT_NE(numeric.bad_lines.at(0).reason.find("unknown column layout"), std::string::npos);
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
