#include "hashveil/matcher/visual_derivative.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

#include "hashveil/common/exception_boundary.h"
#include "image_format.h"

namespace hashveil::matcher {
namespace {

// Grey plane of any supported pixel format (the view's memory is only read).
cv::Mat GreyOf(const ImageView& image) {
  const int type = image.format == PixelFormat::kGray8   ? CV_8UC1
                   : image.format == PixelFormat::kRgba8 ? CV_8UC4
                                                         : CV_8UC3;
  const cv::Mat view(image.height, image.width, type, const_cast<std::uint8_t*>(image.data),
                     image.stride);
  cv::Mat grey;
  switch (image.format) {
    case PixelFormat::kGray8: grey = view; break;
    case PixelFormat::kRgb8: cv::cvtColor(view, grey, cv::COLOR_RGB2GRAY); break;
    case PixelFormat::kBgr8: cv::cvtColor(view, grey, cv::COLOR_BGR2GRAY); break;
    case PixelFormat::kRgba8: cv::cvtColor(view, grey, cv::COLOR_RGBA2GRAY); break;
  }
  return grey;
}

VisualDerivative FromGrey(const cv::Mat& grey) {
  const int side = kVisualDerivativeSide;
  const int longer = std::max(grey.cols, grey.rows);
  const int width = std::max(1, grey.cols * side / longer);
  const int height = std::max(1, grey.rows * side / longer);
  cv::Mat scaled;
  cv::resize(grey, scaled, cv::Size(width, height), 0, 0, cv::INTER_AREA);
  VisualDerivative derivative;  // zero: black borders
  const int left = (side - width) / 2;
  const int top = (side - height) / 2;
  for (int y = 0; y < height; ++y) {
    std::copy_n(scaled.ptr<std::uint8_t>(y), width,
                derivative.pixels.data() + static_cast<std::size_t>(top + y) * side + left);
  }
  SecureWipe(scaled.data, scaled.total());
  return derivative;
}

}  // namespace

Result<VisualDerivative> MakeVisualDerivative(const ImageView& image) {
  if (image.data == nullptr || image.width <= 0 || image.height <= 0 ||
      image.stride < static_cast<std::size_t>(image.width) * BytesPerPixel(image.format)) {
    return Status::InvalidInput("image view is empty or its stride is too small");
  }
  return StatusFromExceptions("making the visual derivative",
                              [&]() -> Result<VisualDerivative> { return FromGrey(GreyOf(image)); });
}

Result<std::vector<std::uint8_t>> EncodeVisualDerivativePng(const VisualDerivative& derivative) {
  return StatusFromExceptions("PNG encoding", [&]() -> Result<std::vector<std::uint8_t>> {
    const cv::Mat grey(kVisualDerivativeSide, kVisualDerivativeSide, CV_8UC1,
                       const_cast<std::uint8_t*>(derivative.pixels.data()));
    std::vector<std::uint8_t> png;
    if (!cv::imencode(".png", grey, png)) return Status::Internal("PNG encoding failed");
    return png;
  });
}

}  // namespace hashveil::matcher
