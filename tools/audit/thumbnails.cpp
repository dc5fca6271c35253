#include "audit/thumbnails.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "hashveil/common/secret_file.h"

namespace hashveil::audit {

std::string Base64(const std::vector<std::uint8_t>& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL libsodium writes
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
