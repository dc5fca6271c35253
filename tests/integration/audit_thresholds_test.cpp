// Runs the real `hashveil audit thresholds` on a small corpus of real photos (docs/design.md
// section 8).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "audit/audit_html.h"
#include "support/cli_runner.h"
#include "support/test_paths.h"

namespace {

namespace fs = std::filesystem;

using hashveil::testing::CliRun;
using hashveil::testing::ReadTextFile;
using hashveil::testing::RunCli;

class AuditThresholdsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hv_audit_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "corpus");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The six smallest real photos, to keep the run short.
  void MakeCorpus() {
    HV_REQUIRE_PINNED_PHOTOS(pinned);
    std::vector<fs::path> photos = pinned;
    ASSERT_GE(photos.size(), 6u);
    std::stable_sort(photos.begin(), photos.end(), [](const fs::path& a, const fs::path& b) {
      return fs::file_size(a) < fs::file_size(b);
    });
    for (std::size_t i = 0; i < 6; ++i) {
      fs::copy_file(photos[i], dir_ / "corpus" / photos[i].filename());
    }
  }

  CliRun Audit(const std::string& out) {
    return RunCli(HASHVEIL_BINARY,
                  "audit thresholds --corpus " + (dir_ / "corpus").string() + " --out " +
                      (dir_ / out).string() + " --grid 'L=1;k=64;P=16;d=0,1' --seed 5 --threads 2",
                  dir_ / "err");
  }

  fs::path dir_;
};

TEST_F(AuditThresholdsTest, WritesJsonAndHtmlDeterministically) {
  ASSERT_NO_FATAL_FAILURE(MakeCorpus());
  const CliRun run = Audit("out1");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto audit = nlohmann::json::parse(ReadTextFile(dir_ / "out1" / "audit.json"));
  EXPECT_EQ(audit["format"], "hashveil-threshold-audit/1");
  EXPECT_EQ(audit["seed"], 5);
  EXPECT_EQ(audit["working_side"], 1600);  // copies start from the photo a messenger delivers
  // Flat images (quality < 50) are set aside, never matched.
  const std::uint64_t usable = audit["corpus"]["usable"];
  EXPECT_GE(usable, 4u);
  EXPECT_EQ(usable + audit["corpus"]["low_quality"].get<std::uint64_t>(), 6u);
  EXPECT_NE(run.out.find("images=" + std::to_string(usable)), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("time="), std::string::npos);
  ASSERT_EQ(audit["transforms"].size(), 23u);
  for (const auto& t : audit["transforms"]) {
    EXPECT_EQ(t["images"], usable);
    EXPECT_EQ(t["distances"]["counts"].size(), 257u);
    EXPECT_EQ(t["private_recall"].size(), 2u);
    EXPECT_GE(t["plain_dihedral_recall"].get<double>(), t["plain_recall"].get<double>());
  }
  // Re-encoding at quality 90 keeps every photo matching.
  EXPECT_EQ(audit["transforms"][0]["name"], "jpeg_q90");
  EXPECT_EQ(audit["transforms"][0]["plain_recall"], 1.0);
  EXPECT_EQ(audit["distinct_pairs"]["ordered_pairs"], usable * (usable - 1));
  ASSERT_EQ(audit["parameter_sets"].size(), 2u);
  EXPECT_EQ(audit["parameter_sets"][0]["name"], "L1-k64-P16-d0-r2");
  EXPECT_EQ(audit["parameter_sets"][0]["cost"]["outer_entries"], 16);  // one per probe
  EXPECT_GT(audit["parameter_sets"][0]["cost"]["db_bytes_per_entry"].get<double>(), 32.0);
  EXPECT_GT(audit["parameter_sets"][0]["cost"]["voucher_bytes"].get<std::uint64_t>(), 16u * 96u);
  EXPECT_GT(audit["timings"]["voucher_ms"]["L1-P16"]["server_open_ms"].get<double>(), 0.0);
  EXPECT_FALSE(audit["bound_supported"].get<bool>());  // 30 pairs cannot support 1e-9
  // Mirroring defeats plain PDQ but not the mirrored image's dihedral hashes.
  const auto& flip = audit["transforms"][12];
  EXPECT_EQ(flip["name"], "flip_horizontal");
  EXPECT_EQ(flip["plain_dihedral_recall"], 1.0);
  EXPECT_TRUE(audit.contains("account_risk"));
  EXPECT_TRUE(audit.contains("timings"));

  const std::string html = ReadTextFile(dir_ / "out1" / "audit.html");
  EXPECT_NE(html.find("scaled down to at most 1600 px"), std::string::npos);
  for (const char* id : hashveil::audit::kPlotIds) {
    EXPECT_NE(html.find("<svg id=\"" + std::string(id) + "\""), std::string::npos) << id;
  }

  // Same seed: same figures (timings aside) and the same page.
  ASSERT_EQ(Audit("out2").exit_code, 0);
  auto again = nlohmann::json::parse(ReadTextFile(dir_ / "out2" / "audit.json"));
  auto first = audit;
  first.erase("timings");
  again.erase("timings");
  EXPECT_EQ(first, again);
  EXPECT_EQ(html, ReadTextFile(dir_ / "out2" / "audit.html"));
}

TEST_F(AuditThresholdsTest, PageRendersEveryPlotInChromium) {
  if (RunCli("command", "-v chromium >/dev/null", dir_ / "err").exit_code != 0) {
    GTEST_SKIP() << "chromium not installed (scripts/setup installs it)";
  }
  ASSERT_NO_FATAL_FAILURE(MakeCorpus());
  const CliRun run = Audit("out");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const fs::path profile = dir_ / "chromium-profile";
  const CliRun dom = RunCli(
      "timeout 120 chromium",
      "--headless --no-sandbox --disable-gpu --disable-background-networking "
      "--disable-component-update --disable-sync --no-first-run --user-data-dir=" +
          profile.string() + " --dump-dom file://" + (dir_ / "out" / "audit.html").string(),
      dir_ / "chromium-err");
  ASSERT_EQ(dom.exit_code, 0);
  EXPECT_NE(dom.out.find("hashveil threshold audit"), std::string::npos);
  for (const char* id : hashveil::audit::kPlotIds) {
    EXPECT_NE(dom.out.find("id=\"" + std::string(id) + "\""), std::string::npos) << id;
  }
}

TEST_F(AuditThresholdsTest, BadOptionsAreUsageErrors) {
  for (const auto& [option, named] :
       {std::pair{"--grid 'L=1'", "grid"},
        std::pair{"--grid 'L=1;k=64;P=16;d=0;c=3'", "no longer used: DB format 3"},
        std::pair{"--grid 'L=1;k=64,300;P=16;d=0'", "k (bits per key)"},
        std::pair{"--working-side -5", "working-side"}}) {
    const CliRun run = RunCli(HASHVEIL_BINARY,
                              "audit thresholds --corpus " + (dir_ / "corpus").string() + " --out " +
                                  (dir_ / "out").string() + " " + option,
                              dir_ / "err");
    EXPECT_EQ(run.exit_code, 2) << option;
    EXPECT_NE(run.err.find(named), std::string::npos) << run.err;
  }
}

}  // namespace
