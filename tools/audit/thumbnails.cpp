#include "audit/thumbnails.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "hashveil/common/secret_file.h"

namespace hashveil::audit {

std::string Base64(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t left = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = static_cast<std::uint32_t>(bytes[i]) << 16;
    if (left > 1) group |= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
    if (left > 2) group |= bytes[i + 2];
    for (std::size_t c = 0; c < 4; ++c) {
      out += c <= left ? kAlphabet[(group >> (18 - 6 * c)) & 63] : '=';
    }
  }
  return out;
}

Result<std::string> ThumbnailDataUri(const std::filesystem::path& file) {
  HV_ASSIGN_OR_RETURN(std::vector<std::uint8_t> bytes, ReadFileBytes(file, 256ull << 20));
  std::vector<std::uint8_t> jpeg;
  try {
    const cv::Mat image = cv::imdecode(bytes, cv::IMREAD_COLOR);
    if (image.empty()) return Status::InvalidInput("not a decodable image");
    const double scale =
        std::min(1.0, static_cast<double>(kThumbnailSide) / std::max(image.cols, image.rows));
    cv::Mat small;
    cv::resize(image, small,
               cv::Size(std::max(1, static_cast<int>(std::lround(image.cols * scale))),
                        std::max(1, static_cast<int>(std::lround(image.rows * scale)))),
               0, 0, cv::INTER_AREA);
    if (!cv::imencode(".jpg", small, jpeg, {cv::IMWRITE_JPEG_QUALITY, 85})) {
      return Status::Internal("thumbnail could not be encoded");
    }
  } catch (const cv::Exception&) {
    return Status::InvalidInput("not a decodable image");
  }
  return "data:image/jpeg;base64," + Base64(jpeg);
}

}  // namespace hashveil::audit
