#include "audit/thumbnails.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

namespace hashveil::audit {
namespace {

std::vector<std::uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

TEST(ThumbnailsTest, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64(Bytes("")), "");
  EXPECT_EQ(Base64(Bytes("f")), "Zg==");
  EXPECT_EQ(Base64(Bytes("fo")), "Zm8=");
  EXPECT_EQ(Base64(Bytes("foo")), "Zm9v");
  EXPECT_EQ(Base64(Bytes("foobar")), "Zm9vYmFy");
}

TEST(ThumbnailsTest, ScalesTheLongerSideTo96AndEncodesJpeg) {
  const auto file =
      std::filesystem::temp_directory_path() / ("hv_thumb_" + std::to_string(::getpid()) + ".png");
  cv::imwrite(file.string(), cv::Mat(300, 480, CV_8UC3, cv::Scalar(10, 200, 30)));
  const Result<std::string> uri = ThumbnailDataUri(file);
  std::filesystem::remove(file);
  ASSERT_TRUE(uri.ok()) << uri.status().message();
  const std::string prefix = "data:image/jpeg;base64,";
  ASSERT_EQ(uri->rfind(prefix, 0), 0u);
  // Decode the base64 back and check the size.
  std::vector<std::uint8_t> jpeg;
  std::uint32_t group = 0;
  int bits = 0;
  for (char c : uri->substr(prefix.size())) {
    if (c == '=') break;
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    group = (group << 6) | static_cast<std::uint32_t>(alphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      jpeg.push_back(static_cast<std::uint8_t>(group >> bits));
    }
  }
  const cv::Mat thumbnail = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  EXPECT_EQ(thumbnail.cols, 96);
  EXPECT_EQ(thumbnail.rows, 60);
}

TEST(ThumbnailsTest, UndecodableFilesAreErrors) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("hv_thumb_bad_" + std::to_string(::getpid()) + ".jpg");
  {
    std::FILE* f = std::fopen(file.c_str(), "wb");
    std::fputs("nope", f);
    std::fclose(f);
  }
  const Result<std::string> uri = ThumbnailDataUri(file);
  std::filesystem::remove(file);
  EXPECT_FALSE(uri.ok());
}

}  // namespace
}  // namespace hashveil::audit
