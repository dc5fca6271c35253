#include "audit/transforms.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <functional>
#include <string>

namespace hashveil::audit {
namespace {

// How a transformed image is written: most transforms are carried in a near-lossless JPEG so
// that what is measured is the edit; the encoding transforms choose their own.
struct Encoding {
  const char* extension;
  int quality_flag;  // cv::IMWRITE_JPEG_QUALITY or cv::IMWRITE_WEBP_QUALITY
  int quality;
};
constexpr Encoding kCarrier{".jpg", cv::IMWRITE_JPEG_QUALITY, 95};

struct Edited {
  cv::Mat image;
  Encoding encoding = kCarrier;
};

using Edit = std::function<Edited(const cv::Mat&, cv::RNG&)>;

Edited Jpeg(const cv::Mat& in, int quality) {
  return {in, {".jpg", cv::IMWRITE_JPEG_QUALITY, quality}};
}

Edited Resize(const cv::Mat& in, double scale) {
  cv::Mat out;
  cv::resize(in, out, cv::Size(), scale, scale, cv::INTER_AREA);
  return {out, {".jpg", cv::IMWRITE_JPEG_QUALITY, 85}};
}

// Removes `fraction` of each dimension; how it is split between the two opposite sides is drawn.
Edited Crop(const cv::Mat& in, double fraction, cv::RNG& rng) {
  const int cut_x = static_cast<int>(std::lround(in.cols * fraction));
  const int cut_y = static_cast<int>(std::lround(in.rows * fraction));
  const int left = rng.uniform(0, cut_x + 1), top = rng.uniform(0, cut_y + 1);
  return {in(cv::Rect(left, top, in.cols - cut_x, in.rows - cut_y)).clone()};
}

// Adds a black border of `fraction` of each dimension, split at random between opposite sides.
Edited Pad(const cv::Mat& in, double fraction, cv::RNG& rng) {
  const int add_x = static_cast<int>(std::lround(in.cols * fraction));
  const int add_y = static_cast<int>(std::lround(in.rows * fraction));
  const int left = rng.uniform(0, add_x + 1), top = rng.uniform(0, add_y + 1);
  cv::Mat out;
  cv::copyMakeBorder(in, out, top, add_y - top, left, add_x - left, cv::BORDER_CONSTANT,
                     cv::Scalar::all(0));
  return {out};
}

// Rotates by `degrees` (sign drawn) about the centre, same canvas, corners filled black.
Edited RotateSmall(const cv::Mat& in, double degrees, cv::RNG& rng) {
  const double angle = rng.uniform(0, 2) == 0 ? degrees : -degrees;
  const cv::Mat rotation =
      cv::getRotationMatrix2D(cv::Point2f(in.cols / 2.0f, in.rows / 2.0f), angle, 1.0);
  cv::Mat out;
  cv::warpAffine(in, out, rotation, in.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar::all(0));
  return {out};
}

Edited Rotate90(const cv::Mat& in) {
  cv::Mat out;
  cv::rotate(in, out, cv::ROTATE_90_CLOCKWISE);
  return {out};
}

Edited FlipHorizontal(const cv::Mat& in) {
  cv::Mat out;
  cv::flip(in, out, 1);
  return {out};
}

// out = in * gain + offset, saturated.
Edited Linear(const cv::Mat& in, double gain, double offset) {
  cv::Mat out;
  in.convertTo(out, CV_8U, gain, offset);
  return {out};
}

// A random magnitude in [low, high] with a random sign.
double SignedMagnitude(cv::RNG& rng, double low, double high) {
  const double magnitude = rng.uniform(low, high);
  return rng.uniform(0, 2) == 0 ? magnitude : -magnitude;
}

Edited Brightness(const cv::Mat& in, cv::RNG& rng) {
  return Linear(in, 1.0, SignedMagnitude(rng, 20, 40));
}

// Contrast about mid-grey by a factor in [0.7, 0.8] or [1.2, 1.3].
Edited Contrast(const cv::Mat& in, cv::RNG& rng) {
  const double gain = 1.0 + SignedMagnitude(rng, 0.2, 0.3);
  return Linear(in, gain, 127.5 * (1.0 - gain));
}

// Gamma in [0.6, 0.8] or [1.25, 1.65] (reciprocals), through a lookup table.
Edited Gamma(const cv::Mat& in, cv::RNG& rng) {
  const double gamma = std::pow(rng.uniform(0.6, 0.8), rng.uniform(0, 2) == 0 ? 1.0 : -1.0);
  cv::Mat table(1, 256, CV_8U);
  for (int v = 0; v < 256; ++v) {
    table.at<std::uint8_t>(v) = cv::saturate_cast<std::uint8_t>(255.0 * std::pow(v / 255.0, gamma));
  }
  cv::Mat out;
  cv::LUT(in, table, out);
  return {out};
}

// Gaussian blur, sigma in [1.5, 2.5] px at the working size.
Edited Blur(const cv::Mat& in, cv::RNG& rng) {
  cv::Mat out;
  cv::GaussianBlur(in, out, cv::Size(), rng.uniform(1.5, 2.5));
  return {out};
}

// Additive Gaussian noise per channel, sigma in [6, 12] levels.
Edited Noise(const cv::Mat& in, cv::RNG& rng) {
  cv::Mat noise(in.size(), CV_16SC3);
  rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(rng.uniform(6.0, 12.0)));
  cv::Mat out;
  cv::add(in, noise, out, cv::noArray(), CV_8U);
  return {out};
}

// A meme-style caption: white text with a black outline, a tenth of the image high, across the
// top or bottom, words drawn from a fixed list.
Edited Caption(const cv::Mat& in, cv::RNG& rng) {
  static constexpr std::array<const char*, 8> kWords = {"WHEN", "THE", "WEEKEND", "FINALLY",
                                                        "ARRIVES", "MONDAY", "AGAIN", "LOL"};
  std::string text;
  for (int i = 0; i < 3; ++i) text += std::string(i ? " " : "") + kWords[rng.uniform(0, 8)];
  const int font = cv::FONT_HERSHEY_DUPLEX;
  const double target_height = in.rows * 0.1;
  int baseline = 0;
  const cv::Size unit = cv::getTextSize(text, font, 1.0, 2, &baseline);
  const double scale =
      std::min(target_height / unit.height, 0.9 * in.cols / std::max(1, unit.width));
  const int thickness = std::max(1, static_cast<int>(scale * 2));
  const cv::Size size = cv::getTextSize(text, font, scale, thickness, &baseline);
  const int x = (in.cols - size.width) / 2;
  const int y = rng.uniform(0, 2) == 0 ? size.height + in.rows / 20 : in.rows - in.rows / 20;
  cv::Mat out = in.clone();
  cv::putText(out, text, {x, y}, font, scale, cv::Scalar::all(0), thickness * 3, cv::LINE_AA);
  cv::putText(out, text, {x, y}, font, scale, cv::Scalar::all(255), thickness, cv::LINE_AA);
  return {out};
}

// A half-transparent white box, a quarter of the width and a tenth of the height, in a corner.
Edited Watermark(const cv::Mat& in, cv::RNG& rng) {
  const int w = in.cols / 4, h = in.rows / 10, margin = in.cols / 40;
  const int corner = rng.uniform(0, 4);
  const int x = (corner & 1) ? in.cols - w - margin : margin;
  const int y = (corner & 2) ? in.rows - h - margin : margin;
  cv::Mat out = in.clone();
  cv::Mat box = out(cv::Rect(x, y, w, h));
  cv::addWeighted(box, 0.5, cv::Mat(box.size(), box.type(), cv::Scalar::all(255)), 0.5, 0, box);
  return {out};
}

Edited Greyscale(const cv::Mat& in) {
  cv::Mat grey, out;
  cv::cvtColor(in, grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(grey, out, cv::COLOR_GRAY2BGR);
  return {out};
}

Edited Webp(const cv::Mat& in) { return {in, {".webp", cv::IMWRITE_WEBP_QUALITY, 75}}; }

// A screenshot of the image shown on a phone: scaled to 60% with bilinear filtering (what a
// display pipeline does), saved as a JPEG of quality 80 (as platforms re-encode shares).
Edited Screenshot(const cv::Mat& in) {
  cv::Mat out;
  cv::resize(in, out, cv::Size(), 0.6, 0.6, cv::INTER_LINEAR);
  return {out, {".jpg", cv::IMWRITE_JPEG_QUALITY, 80}};
}

struct Transform {
  TransformInfo info;
  Edit edit;
};

const std::vector<Transform>& Suite() {
  using R = cv::RNG&;
  static const std::vector<Transform> suite = {
      {{"jpeg_q90", "JPEG re-encode at quality 90", true}, [](auto& m, R) { return Jpeg(m, 90); }},
      {{"jpeg_q70", "JPEG re-encode at quality 70", true}, [](auto& m, R) { return Jpeg(m, 70); }},
      {{"jpeg_q50", "JPEG re-encode at quality 50", true}, [](auto& m, R) { return Jpeg(m, 50); }},
      {{"jpeg_q30", "JPEG re-encode at quality 30", true}, [](auto& m, R) { return Jpeg(m, 30); }},
      {{"resize_0.75", "downscale to 75% (area filter), JPEG quality 85", true},
       [](auto& m, R) { return Resize(m, 0.75); }},
      {{"resize_0.5", "downscale to 50% (area filter), JPEG quality 85", true},
       [](auto& m, R) { return Resize(m, 0.5); }},
      {{"resize_0.25", "downscale to 25% (area filter), JPEG quality 85", true},
       [](auto& m, R) { return Resize(m, 0.25); }},
      {{"crop_2pct", "crop 2% of each dimension, split at random between opposite sides", false},
       [](auto& m, R r) { return Crop(m, 0.02, r); }},
      {{"crop_5pct", "crop 5% of each dimension, split at random between opposite sides", false},
       [](auto& m, R r) { return Crop(m, 0.05, r); }},
      {{"pad_5pct", "add a black border of 5% of each dimension, split at random", false},
       [](auto& m, R r) { return Pad(m, 0.05, r); }},
      {{"rotate_2deg", "rotate by 2 degrees (random sign) about the centre, corners black", false},
       [](auto& m, R r) { return RotateSmall(m, 2.0, r); }},
      {{"rotate_90deg", "rotate by 90 degrees clockwise", false},
       [](auto& m, R) { return Rotate90(m); }},
      {{"flip_horizontal", "mirror left to right", false},
       [](auto& m, R) { return FlipHorizontal(m); }},
      {{"brightness", "add 20 to 40 grey levels (random sign) to every channel", true},
       [](auto& m, R r) { return Brightness(m, r); }},
      {{"contrast", "scale contrast about mid-grey by 0.7-0.8 or 1.2-1.3", true},
       [](auto& m, R r) { return Contrast(m, r); }},
      {{"gamma", "gamma 0.6-0.8 or its reciprocal", true},
       [](auto& m, R r) { return Gamma(m, r); }},
      {{"blur", "Gaussian blur, sigma 1.5-2.5 px", true}, [](auto& m, R r) { return Blur(m, r); }},
      {{"noise", "additive Gaussian noise, sigma 6-12 levels per channel", true},
       [](auto& m, R r) { return Noise(m, r); }},
      {{"text_overlay", "a three-word caption a tenth of the image high, top or bottom", true},
       [](auto& m, R r) { return Caption(m, r); }},
      {{"watermark_box", "a half-transparent white box (1/4 x 1/10 of the image) in a corner",
        false},
       [](auto& m, R r) { return Watermark(m, r); }},
      {{"greyscale", "convert to grey (BT.601 luma), stored as colour", true},
       [](auto& m, R) { return Greyscale(m); }},
      {{"webp", "WebP re-encode at quality 75", true}, [](auto& m, R) { return Webp(m); }},
      {{"screenshot", "scale to 60% (bilinear), JPEG quality 80", true},
       [](auto& m, R) { return Screenshot(m); }},
  };
  return suite;
}

}  // namespace

std::span<const TransformInfo> TransformSuite() {
  static const std::vector<TransformInfo> infos = [] {
    std::vector<TransformInfo> out;
    for (const Transform& t : Suite()) out.push_back(t.info);
    return out;
  }();
  return infos;
}

matcher::ImageView BgrImage::view() const {
  return {pixels.data(), width, height, static_cast<std::size_t>(width) * 3,
          matcher::PixelFormat::kBgr8};
}

Result<BgrImage> DecodeWorkingImage(std::span<const std::uint8_t> bytes, int max_side,
                                    std::uint64_t max_pixels) {
  if (max_side < 0) return Status::InvalidInput("working side must not be negative");
  try {
    const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8U,
                          const_cast<std::uint8_t*>(bytes.data()));
    cv::Mat decoded = cv::imdecode(encoded, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
    if (decoded.empty()) return Status::Corrupt("image could not be decoded");
    // A second line of defence: the audit hashes every file first, and the hasher refuses
    // oversized images before decoding them.
    if (static_cast<std::uint64_t>(decoded.total()) > max_pixels) {
      return Status::ResourceExhausted("image has more pixels than allowed");
    }
    const int longer = std::max(decoded.cols, decoded.rows);
    if (max_side > 0 && longer > max_side) {
      const double scale = static_cast<double>(max_side) / longer;
      cv::Mat scaled;
      cv::resize(decoded, scaled, cv::Size(), scale, scale, cv::INTER_AREA);
      decoded = scaled;
    }
    BgrImage image;
    image.width = decoded.cols;
    image.height = decoded.rows;
    image.pixels.resize(decoded.total() * 3);
    for (int row = 0; row < decoded.rows; ++row) {
      std::copy_n(decoded.ptr<std::uint8_t>(row), decoded.cols * 3,
                  image.pixels.data() + static_cast<std::size_t>(row) * decoded.cols * 3);
    }
    return image;
  } catch (const std::exception&) {
    return Status::Internal("image decoder failed");
  }
}

Result<std::vector<std::uint8_t>> ApplyTransform(std::size_t index, const matcher::ImageView& image,
                                                 std::uint64_t seed) {
  if (index >= Suite().size()) return Status::InvalidInput("transform index out of range");
  if (image.format != matcher::PixelFormat::kBgr8 || image.data == nullptr || image.width < 16 ||
      image.height < 16 || image.stride < static_cast<std::size_t>(image.width) * 3) {
    return Status::InvalidInput("transform input must be BGR8, at least 16x16");
  }
  try {
    const cv::Mat in(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.data),
                     image.stride);
    cv::RNG rng(seed);
    const Edited edited = Suite()[index].edit(in, rng);
    std::vector<std::uint8_t> bytes;
    const std::vector<int> flags = {edited.encoding.quality_flag, edited.encoding.quality};
    if (!cv::imencode(edited.encoding.extension, edited.image, bytes, flags)) {
      return Status::Internal("image encoder failed");
    }
    return bytes;
  } catch (const std::exception&) {
    return Status::Internal("transform failed");
  }
}

}  // namespace hashveil::audit
