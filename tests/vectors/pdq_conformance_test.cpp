// End-to-end conformance with the reference CLI's hashes (docs/design.md section 3): in reference
// mode every image of quality >= 80 within Hamming distance 10 and images of 512 px or less
// exact; fast mode within 10 too. Prints the exact-match counts.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hashveil/common/secret_file.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "image_format.h"
#include "support/test_paths.h"

namespace hashveil::matcher {
namespace {

constexpr int kCompatibleDistance = 10;
constexpr int kCompatibleQuality = 80;

struct Expected {
  std::vector<PdqHash> hashes;  // one, or the 8 dihedral ones
  int quality = 0;
  std::string path;             // relative to vectors/pdq
};

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
  return fields;
}

std::vector<Expected> ReadCsv(const std::filesystem::path& csv) {
  std::ifstream in(csv);
  std::vector<Expected> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = SplitCsv(line);
    EXPECT_GE(fields.size(), 3u) << line;
    if (fields.size() < 3) continue;
    Expected row;
    for (std::size_t n = 0; n + 2 < fields.size(); ++n) row.hashes.push_back(*PdqHash::FromHex(fields[n]));
    row.quality = std::stoi(fields[fields.size() - 2]);
    row.path = fields.back();
    rows.push_back(row);
  }
  return rows;
}

bool FitsReferenceSquash(const std::filesystem::path& image) {
  const Result<std::vector<std::uint8_t>> bytes = ReadFileBytes(image, 1 << 28);
  const Result<ImageHeader> header = ReadImageHeader(*bytes);
  return header.ok() && header->width <= 512 && header->height <= 512;
}

// Hashes every row's image in `mode` and checks the rule; returns {exact matches, rows}.
std::pair<int, int> CheckConformance(const std::filesystem::path& dir, const std::vector<Expected>& rows,
                                     DecodeMode mode) {
  int exact = 0, compared = 0;
  for (const Expected& row : rows) {
    const bool dihedral = row.hashes.size() == kDihedralCount;
    const Result<PdqResult> result = HashImageFile(dir / row.path, {.mode = mode, .dihedral = dihedral});
    EXPECT_TRUE(result.ok()) << row.path << ": " << result.status().ToString();
    if (!result.ok()) continue;
    std::vector<PdqHash> got = {result->hash};
    if (dihedral) got.assign(result->dihedral->begin(), result->dihedral->end());
    const bool small = FitsReferenceSquash(dir / row.path);
    bool all_exact = result->quality == row.quality;
    for (std::size_t n = 0; n < got.size(); ++n) {
      const int distance = HammingDistance(got[n], row.hashes[n]);
      all_exact = all_exact && distance == 0;
      if (row.quality >= kCompatibleQuality) {
        EXPECT_LE(distance, kCompatibleDistance) << row.path << " variant " << n;
      }
      if (mode == DecodeMode::kReference && small) {
        EXPECT_EQ(distance, 0) << row.path << " variant " << n;
      }
    }
    if (mode == DecodeMode::kReference && small) {
      EXPECT_EQ(result->quality, row.quality) << row.path;
    }
    exact += all_exact;
    ++compared;
  }
  return {exact, compared};
}

void Report(const char* what, std::pair<int, int> counts) {
  std::printf("%s: %d of %d exactly equal to the reference (hash%s and quality)\n", what, counts.first,
              counts.second, "");
  ::testing::Test::RecordProperty(what, std::to_string(counts.first) + "/" + std::to_string(counts.second));
}

TEST(PdqConformanceTest, ReferenceModeMatchesTheReferenceCli) {
  const std::filesystem::path dir = testing::PdqVectorsDir();
  const std::vector<Expected> rows = ReadCsv(dir / "reference-hashes.csv");
  ASSERT_GE(rows.size(), 30u);
  Report("reference_mode_hashes", CheckConformance(dir, rows, DecodeMode::kReference));
}

TEST(PdqConformanceTest, ReferenceModeDihedralMatchesTheReferenceCli) {
  const std::filesystem::path dir = testing::PdqVectorsDir();
  const std::vector<Expected> rows = ReadCsv(dir / "reference-dihedral.csv");
  ASSERT_GE(rows.size(), 30u);
  Report("reference_mode_dihedral", CheckConformance(dir, rows, DecodeMode::kReference));
}

TEST(PdqConformanceTest, FastModeIsWithinTheCompatibilityRule) {
  const std::filesystem::path dir = testing::PdqVectorsDir();
  Report("fast_mode_hashes", CheckConformance(dir, ReadCsv(dir / "reference-hashes.csv"), DecodeMode::kFast));
  Report("fast_mode_dihedral",
         CheckConformance(dir, ReadCsv(dir / "reference-dihedral.csv"), DecodeMode::kFast));
}

TEST(PdqConformanceTest, HashesWhatTheReferenceCannot) {
  const std::filesystem::path dir = testing::PdqVectorsDir();
  std::ifstream in(dir / "reference-unhashable.csv");
  std::string line;
  std::getline(in, line);
  int hashed = 0;
  while (std::getline(in, line)) {
    const std::string path = SplitCsv(line).front();
    for (DecodeMode mode : {DecodeMode::kReference, DecodeMode::kFast}) {
      const Result<PdqResult> result = HashImageFile(dir / path, {.mode = mode});
      ASSERT_TRUE(result.ok()) << path << ": " << result.status().ToString();
      EXPECT_GT(result->quality, 0) << path;
    }
    ++hashed;
  }
  EXPECT_EQ(hashed, 5);
  // CMYK and opaque RGBA versions of the test photo hash like the photo itself.
  const PdqHash original = *PdqHash::FromHex("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22");
  for (const char* variant : {"misc-images/modes/CMYK.jpg", "misc-images/modes/RGBA.png", "misc-images/modes/LA.png"}) {
    const Result<PdqResult> result = HashImageFile(dir / variant, {.mode = DecodeMode::kReference});
    ASSERT_TRUE(result.ok());
    EXPECT_LE(HammingDistance(result->hash, original), kCompatibleDistance) << variant;
  }
}

}  // namespace
}  // namespace hashveil::matcher
