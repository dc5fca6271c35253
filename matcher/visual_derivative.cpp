#include "hashveil/matcher/visual_derivative.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <exception>

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

// The largest JPEG/PNG reduction OpenCV offers that keeps the shorter side above a few times
// the derivative's side, so area averaging still sees every source pixel.
int ReducedReadFlag(const ImageHeader& header) {
  const std::uint64_t shorter = std::min(header.width, header.height);
  for (const auto& [factor, flag] : {std::pair{8, cv::IMREAD_REDUCED_GRAYSCALE_8},
                                     std::pair{4, cv::IMREAD_REDUCED_GRAYSCALE_4},
                                     std::pair{2, cv::IMREAD_REDUCED_GRAYSCALE_2}}) {
    if (shorter / static_cast<std::uint64_t>(factor) >= 4u * kVisualDerivativeSide) return flag;
  }
  return cv::IMREAD_GRAYSCALE;
}

}  // namespace

Result<VisualDerivative> MakeVisualDerivative(const ImageView& image) {
  if (image.data == nullptr || image.width <= 0 || image.height <= 0 ||
      image.stride < static_cast<std::size_t>(image.width) * BytesPerPixel(image.format)) {
    return Status::InvalidInput("image view is empty or its stride is too small");
  }
  try {
    return FromGrey(GreyOf(image));
  } catch (const std::exception&) {
    return Status::Internal("making the visual derivative failed unexpectedly");
  }
}

Result<VisualDerivative> MakeVisualDerivativeFromEncoded(std::span<const std::uint8_t> bytes,
                                                         std::uint64_t max_pixels) {
  HV_ASSIGN_OR_RETURN(const ImageHeader header, ReadImageHeader(bytes));
  HV_RETURN_IF_ERROR(CheckPixelBudget(header, max_pixels));
  try {
    const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8U,
                          const_cast<std::uint8_t*>(bytes.data()));
    // Without IMREAD_ANYDEPTH, 16-bit images arrive as 8-bit grey.
    cv::Mat grey = cv::imdecode(encoded, ReducedReadFlag(header));
    if (grey.empty()) return Status::Corrupt("image data is truncated or malformed");
    VisualDerivative derivative = FromGrey(grey);
    SecureWipe(grey.data, grey.total() * grey.elemSize());
    return derivative;
  } catch (const cv::Exception&) {
    return Status::Corrupt("image data is malformed (decoder error)");
  } catch (const std::exception&) {
    return Status::Internal("image decoder failed unexpectedly");
  }
}

Result<std::vector<std::uint8_t>> EncodeVisualDerivativePng(const VisualDerivative& derivative) {
  try {
    const cv::Mat grey(kVisualDerivativeSide, kVisualDerivativeSide, CV_8UC1,
                       const_cast<std::uint8_t*>(derivative.pixels.data()));
    std::vector<std::uint8_t> png;
    if (!cv::imencode(".png", grey, png)) return Status::Internal("PNG encoding failed");
    return png;
  } catch (const std::exception&) {
    return Status::Internal("PNG encoding failed unexpectedly");
  }
}

}  // namespace hashveil::matcher
