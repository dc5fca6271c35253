// A deterministic synthetic photo for the matcher's tests.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdint>

namespace hashveil::matcher {

// A smooth synthetic photo (deterministic): noise on a coarse grid, interpolated, so most of its
// energy is at low frequencies as in real photos. BGR.
inline cv::Mat SyntheticPhoto(int width, int height, std::uint32_t seed) {
  cv::Mat small(height / 100 + 2, width / 100 + 2, CV_8UC3);
  cv::RNG rng(seed);
  rng.fill(small, cv::RNG::UNIFORM, 0, 256);
  cv::Mat photo;
  cv::resize(small, photo, cv::Size(width, height), 0, 0, cv::INTER_CUBIC);
  return photo;
}

}  // namespace hashveil::matcher
