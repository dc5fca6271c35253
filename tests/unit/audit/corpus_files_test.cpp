#include "audit/corpus_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "audit/threshold_audit.h"

namespace hashveil::audit {
namespace {

namespace fs = std::filesystem;

class CorpusFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hv_corpus_files_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "sub");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const fs::path& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
  }
  fs::path dir_;
};

TEST_F(CorpusFilesTest, ListsImagesByExtensionSorted) {
  Write("b.JPG", "x");
  Write("sub/a.png", "x");
  Write("notes.txt", "x");
  const auto files = CorpusFiles(dir_);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].filename(), "b.JPG");
  EXPECT_EQ((*files)[1].filename(), "a.png");
  EXPECT_EQ(CorpusFiles(dir_ / "missing").status().code(), StatusCode::kNotFound);
}

TEST_F(CorpusFilesTest, UnreadableFilesAreReportedOneByOneWithAReason) {
  Write("broken.jpg", "not a jpeg at all");
  fs::create_directories(dir_ / "folder.jpg");  // listed by a caller, but no file to read
  const std::vector<fs::path> files = {dir_ / "broken.jpg", dir_ / "folder.jpg"};
  const CorpusAccounting accounting = AccountForFiles(files, CorpusHashes{});
  EXPECT_TRUE(accounting.image_files.empty());
  ASSERT_EQ(accounting.rejected.size(), 2u);
  EXPECT_EQ(accounting.rejected[0].file, files[0]);
  EXPECT_EQ(accounting.rejected[0].reason, "not a decodable image");
  EXPECT_EQ(accounting.rejected[1].reason, "could not be read");
}

TEST_F(CorpusFilesTest, AnAuditOfOnlyUnreadableFilesIsRefusedAfterReportingEach) {
  Write("one.jpg", "garbage");
  Write("sub/two.png", "garbage");
  AuditOptions options;
  options.corpus = *CorpusFiles(dir_);
  options.corpus_root = dir_;
  options.parameter_sets = {ParameterSet{{{.tables = 1, .bits_per_key = 64, .probes = 16}, false}}};
  options.threads = 1;
  std::vector<RejectedFile> reported;
  options.on_rejected_file = [&](const RejectedFile& r) { reported.push_back(r); };
  const Result<AuditResult> result = RunThresholdAudit(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidInput);
  // The error names no file; the per-file report does, relative to the corpus folder.
  EXPECT_EQ(result.status().message().find("one.jpg"), std::string::npos);
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_EQ(reported[0].file, "one.jpg");
  EXPECT_EQ(reported[1].file, "sub/two.png");
  EXPECT_EQ(reported[1].reason, "not a decodable image");
}

TEST_F(CorpusFilesTest, EveryFileUsableNeedsNoSecondLook) {
  CorpusHashes corpus;
  corpus.images.resize(2);
  const CorpusAccounting accounting = AccountForFiles({dir_ / "x.jpg", dir_ / "y.jpg"}, corpus);
  EXPECT_EQ(accounting.image_files, (std::vector<std::size_t>{0, 1}));
  EXPECT_TRUE(accounting.rejected.empty());
}

}  // namespace
}  // namespace hashveil::audit
