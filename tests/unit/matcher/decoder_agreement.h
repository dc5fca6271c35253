// The device decoders (libpng, libwebp) against OpenCV's imdecode, which the library used before
// them: the same pixels, and the same hashes through HashEncodedImage.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <span>
#include <string>
#include <vector>

#include "decoded_image.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "opencv_decoder.h"
#include "support/test_paths.h"

namespace hashveil::matcher {

// OpenCV's BGR output in RGB order, as the device decoders give it.
inline DecodedImage InRgbOrder(DecodedImage image) {
  if (image.format != PixelFormat::kBgr8) return image;
  for (std::size_t i = 0; i + 2 < image.pixels.size(); i += 3) {
    std::swap(image.pixels[i], image.pixels[i + 2]);
  }
  image.format = PixelFormat::kRgb8;
  return image;
}

// `device` gave exactly the pixels OpenCV gives for `bytes`.
inline void ExpectSameAsOpenCv(const Result<DecodedImage>& device,
                               std::span<const std::uint8_t> bytes) {
  Result<DecodedImage> opencv = DecodeWithOpenCv(bytes);
  ASSERT_TRUE(opencv.ok()) << opencv.status().ToString();
  ASSERT_TRUE(device.ok()) << device.status().ToString();
  const DecodedImage expected = InRgbOrder(std::move(opencv).value());
  EXPECT_EQ(device->width, expected.width);
  EXPECT_EQ(device->height, expected.height);
  EXPECT_EQ(device->format, expected.format);
  std::size_t differing = 0;
  for (std::size_t i = 0; i < std::min(device->pixels.size(), expected.pixels.size()); ++i) {
    differing += device->pixels[i] != expected.pixels[i];
  }
  EXPECT_EQ(device->pixels.size(), expected.pixels.size());
  EXPECT_EQ(differing, 0u) << "samples differing from OpenCV's";
}

// HashEncodedImage on `bytes` (now decoded by the device decoders) gives, in both modes, what
// it gives for OpenCV's decode of them re-encoded as a lossless TIFF (still decoded by OpenCV).
inline void ExpectSameHashesAsOpenCv(std::span<const std::uint8_t> bytes) {
  const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8U,
                        const_cast<std::uint8_t*>(bytes.data()));
  std::vector<std::uint8_t> tiff;
  ASSERT_TRUE(cv::imencode(".tiff", cv::imdecode(encoded, cv::IMREAD_UNCHANGED), tiff));
  for (const DecodeMode mode : {DecodeMode::kFast, DecodeMode::kReference}) {
    const Result<PdqResult> device = HashEncodedImage(bytes, {.mode = mode});
    const Result<PdqResult> opencv = HashEncodedImage(tiff, {.mode = mode});
    ASSERT_TRUE(device.ok()) << device.status().ToString();
    ASSERT_TRUE(opencv.ok()) << opencv.status().ToString();
    EXPECT_EQ(device->hash, opencv->hash);
    EXPECT_EQ(device->quality, opencv->quality);
  }
}

using DeviceDecoder = Result<DecodedImage> (*)(std::span<const std::uint8_t>, std::uint64_t);

// Every conformance vector with extension `ext` (there are at least `at_least`) decodes as
// OpenCV decodes it, and hashes as before.
inline void ExpectVectorsDecodeAsOpenCv(const std::string& ext, std::size_t at_least,
                                        DeviceDecoder decode) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::PdqVectorsDir())) {
    if (entry.is_regular_file() && entry.path().extension() == ext) files.push_back(entry.path());
  }
  EXPECT_GE(files.size(), at_least);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    const auto bytes = ReadFileBytes(file, std::size_t{1} << 26);
    ASSERT_TRUE(bytes.ok());
    ExpectSameAsOpenCv(decode(*bytes, std::uint64_t{1} << 26), *bytes);
    ExpectSameHashesAsOpenCv(*bytes);
  }
}

}  // namespace hashveil::matcher
