// The files a device-side program needs, written from ScannerTest's fixture: a member image as
// a PNG and an account key file (32 raw bytes), beside the DB and publisher key it already wrote.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <string>

#include "hashveil/common/secret_file.h"
#include "scanner_fixture.h"

namespace hashveil::testing {

inline std::filesystem::path WritePng(const TestImage& image, const std::filesystem::path& path) {
  const cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.rgb.data()));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  EXPECT_TRUE(cv::imwrite(path.string(), bgr));
  return path;
}

inline std::filesystem::path WriteAccountKey(const std::string& account,
                                             const std::filesystem::path& dir) {
  const auto path = dir / (account + ".state.key");
  const psi::AccountStateKey key = ScannerTest::AccountKey(account);
  EXPECT_TRUE(WriteSecretFile(path, std::span(key.data(), key.size())).ok());
  return path;
}

}  // namespace hashveil::testing
