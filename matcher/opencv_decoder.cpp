#include "opencv_decoder.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <exception>

namespace hashveil::matcher {
namespace {

Result<DecodedImage> ToDecodedImage(const cv::Mat& decoded) {
  cv::Mat eight_bit;
  if (decoded.depth() == CV_8U) {
    eight_bit = decoded;
  } else if (decoded.depth() == CV_16U) {
    decoded.convertTo(eight_bit, CV_8U, 1.0 / 257.0);
  } else {
    return Status::Unsupported("image sample type is not supported (8- or 16-bit integers only)");
  }
  cv::Mat packed;
  PixelFormat format;
  switch (eight_bit.channels()) {
    case 1: packed = eight_bit; format = PixelFormat::kGray8; break;
    case 2: {  // grey + alpha
      cv::Mat planes[2];
      cv::split(eight_bit, planes);
      cv::Mat rgba_planes[4] = {planes[0], planes[0], planes[0], planes[1]};
      cv::merge(rgba_planes, 4, packed);
      format = PixelFormat::kRgba8;
      break;
    }
    case 3: packed = eight_bit; format = PixelFormat::kBgr8; break;
    case 4: cv::cvtColor(eight_bit, packed, cv::COLOR_BGRA2RGBA); format = PixelFormat::kRgba8; break;
    default: return Status::Unsupported("image channel layout is not supported");
  }
  if (!packed.isContinuous()) packed = packed.clone();
  DecodedImage image;
  image.width = packed.cols;
  image.height = packed.rows;
  image.format = format;
  image.pixels.assign(packed.datastart, packed.dataend);
  return image;
}

}  // namespace

Result<DecodedImage> DecodeWithOpenCv(std::span<const std::uint8_t> bytes) {
  try {
    const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8U, const_cast<std::uint8_t*>(bytes.data()));
    const cv::Mat decoded = cv::imdecode(encoded, cv::IMREAD_UNCHANGED);
    if (decoded.empty()) return Status::Corrupt("image data is truncated or malformed");
    return ToDecodedImage(decoded);
  } catch (const cv::Exception&) {
    return Status::Corrupt("image data is malformed (decoder error)");
  } catch (const std::exception&) {
    return Status::Internal("image decoder failed unexpectedly");
  }
}

}  // namespace hashveil::matcher
