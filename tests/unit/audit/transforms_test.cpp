#include "audit/transforms.h"

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <map>
#include <string>

namespace hashveil::audit {
namespace {

// A smooth, asymmetric test scene: gradients plus a bright square in the upper left.
BgrImage Scene(int width = 320, int height = 240) {
  BgrImage image;
  image.width = width;
  image.height = height;
  image.pixels.resize(static_cast<std::size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = &image.pixels[(static_cast<std::size_t>(y) * width + x) * 3];
      const bool square = x > 20 && x < 100 && y > 20 && y < 90;
      p[0] = static_cast<std::uint8_t>(square ? 240 : 40 + x * 150 / width);
      p[1] = static_cast<std::uint8_t>(square ? 240 : 60 + y * 120 / height);
      p[2] = static_cast<std::uint8_t>(square ? 240 : 100);
    }
  }
  return image;
}

std::size_t Index(std::string_view name) {
  const auto suite = TransformSuite();
  for (std::size_t i = 0; i < suite.size(); ++i) {
    if (suite[i].name == name) return i;
  }
  ADD_FAILURE() << "no transform " << name;
  return 0;
}

cv::Mat Apply(std::string_view name, const BgrImage& image, std::uint64_t seed = 7) {
  const auto bytes = ApplyTransform(Index(name), image.view(), seed);
  EXPECT_TRUE(bytes.ok()) << name;
  if (!bytes.ok()) return {};
  return cv::imdecode(*bytes, cv::IMREAD_COLOR);
}

cv::Mat AsMat(const BgrImage& image) {
  return cv::Mat(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.pixels.data()));
}

double MeanGrey(const cv::Mat& m) { return cv::mean(m)[0] + cv::mean(m)[1] + cv::mean(m)[2]; }

TEST(TransformsTest, SuiteHasEveryNamedTransformOnce) {
  std::map<std::string_view, int> seen;
  for (const TransformInfo& t : TransformSuite()) {
    ++seen[t.name];
    EXPECT_FALSE(t.description.empty());
  }
  for (const char* name :
       {"jpeg_q90", "jpeg_q70", "jpeg_q50", "jpeg_q30", "resize_0.75", "resize_0.5", "resize_0.25",
        "crop_2pct", "crop_5pct", "pad_5pct", "rotate_2deg", "rotate_90deg", "flip_horizontal",
        "brightness", "contrast", "gamma", "blur", "noise", "text_overlay", "watermark_box",
        "greyscale", "webp", "screenshot"}) {
    EXPECT_EQ(seen[name], 1) << name;
  }
  EXPECT_EQ(seen.size(), TransformSuite().size());
}

TEST(TransformsTest, GeometryChangesAsNamed) {
  const BgrImage scene = Scene();
  EXPECT_EQ(Apply("resize_0.5", scene).size(), cv::Size(160, 120));
  EXPECT_EQ(Apply("resize_0.25", scene).size(), cv::Size(80, 60));
  EXPECT_EQ(Apply("resize_0.75", scene).size(), cv::Size(240, 180));
  EXPECT_EQ(Apply("crop_5pct", scene).size(), cv::Size(304, 228));
  EXPECT_EQ(Apply("crop_2pct", scene).size(), cv::Size(314, 235));
  EXPECT_EQ(Apply("pad_5pct", scene).size(), cv::Size(336, 252));
  EXPECT_EQ(Apply("rotate_90deg", scene).size(), cv::Size(240, 320));
  EXPECT_EQ(Apply("screenshot", scene).size(), cv::Size(192, 144));
  EXPECT_EQ(Apply("rotate_2deg", scene).size(), cv::Size(320, 240));
}

TEST(TransformsTest, FlipAndRotationMoveTheBrightSquare) {
  const BgrImage scene = Scene();
  // The square is in the upper left; mirrored it is in the upper right.
  const cv::Mat flipped = Apply("flip_horizontal", scene);
  EXPECT_GT(flipped.at<cv::Vec3b>(50, 320 - 60)[0], 200);
  EXPECT_LT(flipped.at<cv::Vec3b>(50, 60)[0], 200);
  // Rotated 90 degrees clockwise, the upper left goes to the upper right.
  const cv::Mat rotated = Apply("rotate_90deg", scene);
  EXPECT_GT(rotated.at<cv::Vec3b>(60, 240 - 50)[0], 200);
}

TEST(TransformsTest, PaddingIsBlack) {
  const cv::Mat padded = Apply("pad_5pct", Scene());
  // Whatever the split, the 16 px added horizontally leave at least 8 px on one side.
  const double left = cv::mean(padded.colRange(0, 1))[1];
  const double right = cv::mean(padded.colRange(padded.cols - 1, padded.cols))[1];
  EXPECT_LT(std::min(left, right), 10);
}

TEST(TransformsTest, PhotometricTransformsChangeTonesNotGeometry) {
  const BgrImage scene = Scene();
  const double original = MeanGrey(AsMat(scene));
  EXPECT_GT(std::abs(MeanGrey(Apply("brightness", scene)) - original), 3 * 15.0);
  const cv::Mat grey = Apply("greyscale", scene);
  cv::Mat channels[3];
  cv::split(grey, channels);
  EXPECT_LE(cv::norm(channels[0], channels[2], cv::NORM_INF), 6);  // JPEG chroma noise only
  for (const char* name : {"contrast", "gamma", "blur", "noise", "jpeg_q30", "webp"}) {
    const cv::Mat out = Apply(name, scene);
    EXPECT_EQ(out.size(), cv::Size(320, 240)) << name;
    EXPECT_GT(cv::norm(out, AsMat(scene), cv::NORM_L1), 0) << name;
  }
  // Blur lowers the local contrast at the square's edge.
  cv::Mat blurred_grey, original_grey;
  cv::cvtColor(Apply("blur", scene), blurred_grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(AsMat(scene), original_grey, cv::COLOR_BGR2GRAY);
  EXPECT_LT(std::abs(blurred_grey.at<std::uint8_t>(50, 100) - blurred_grey.at<std::uint8_t>(50, 102)),
            std::abs(original_grey.at<std::uint8_t>(50, 99) - original_grey.at<std::uint8_t>(50, 101)));
}

TEST(TransformsTest, OverlaysChangeOnlyPartOfTheImage) {
  const BgrImage scene = Scene();
  for (const char* name : {"text_overlay", "watermark_box"}) {
    cv::Mat diff;
    cv::absdiff(Apply(name, scene), Apply("jpeg_q90", scene), diff);
    cv::Mat grey;
    cv::cvtColor(diff, grey, cv::COLOR_BGR2GRAY);
    const double changed = cv::countNonZero(grey > 40) / static_cast<double>(grey.total());
    EXPECT_GT(changed, 0.005) << name;
    EXPECT_LT(changed, 0.3) << name;
  }
}

TEST(TransformsTest, DeterministicForASeedAndSeeded) {
  const BgrImage scene = Scene();
  for (std::size_t i = 0; i < TransformSuite().size(); ++i) {
    EXPECT_EQ(*ApplyTransform(i, scene.view(), 11), *ApplyTransform(i, scene.view(), 11))
        << TransformSuite()[i].name;
  }
  for (const char* name : {"noise", "crop_5pct", "brightness", "text_overlay"}) {
    bool differs = false;
    for (std::uint64_t seed = 1; seed < 6 && !differs; ++seed) {
      differs = *ApplyTransform(Index(name), scene.view(), 0) !=
                *ApplyTransform(Index(name), scene.view(), seed);
    }
    EXPECT_TRUE(differs) << name;
  }
}

TEST(TransformsTest, RejectsBadInput) {
  const BgrImage scene = Scene();
  EXPECT_FALSE(ApplyTransform(TransformSuite().size(), scene.view(), 1).ok());
  matcher::ImageView tiny = scene.view();
  tiny.width = 8;
  EXPECT_FALSE(ApplyTransform(0, tiny, 1).ok());
  matcher::ImageView grey = scene.view();
  grey.format = matcher::PixelFormat::kGray8;
  EXPECT_FALSE(ApplyTransform(0, grey, 1).ok());
}

TEST(TransformsTest, WorkingImageIsScaledDownToItsSideAndCorruptInputRefused) {
  const BgrImage big = Scene(2048, 1024);
  std::vector<std::uint8_t> png;
  ASSERT_TRUE(cv::imencode(".png", AsMat(big), png));
  const auto messenger = DecodeWorkingImage(png, kMessengerSide);
  ASSERT_TRUE(messenger.ok());
  EXPECT_EQ(messenger->width, kMessengerSide);
  EXPECT_EQ(messenger->height, kMessengerSide / 2);
  const auto small = DecodeWorkingImage(png, 512);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->width, 512);
  EXPECT_EQ(small->height, 256);
  // 0 keeps the original size, as does a side larger than the image.
  for (const int side : {0, 4096}) {
    const auto full = DecodeWorkingImage(png, side);
    ASSERT_TRUE(full.ok());
    EXPECT_EQ(full->width, 2048);
    EXPECT_EQ(full->height, 1024);
  }
  EXPECT_EQ(DecodeWorkingImage(png, -1).status().code(), StatusCode::kInvalidInput);
  const std::vector<std::uint8_t> junk(100, 0x42);
  EXPECT_EQ(DecodeWorkingImage(junk, kMessengerSide).status().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace hashveil::audit
