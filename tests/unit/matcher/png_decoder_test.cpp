#include "png_decoder.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <cstring>

#include "decoder_agreement.h"
#include "png_encoder.h"
#include "support/png_writer.h"

namespace hashveil::matcher {
namespace {

constexpr std::uint64_t kBudget = 1u << 26;

std::uint32_t Be32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}

// Offset of the first chunk of `type` (its length field).
std::size_t FindChunk(const std::vector<std::uint8_t>& png, const char* type) {
  for (std::size_t at = 8; at + 12 <= png.size(); at += 12 + Be32(png, at)) {
    if (std::memcmp(&png[at + 4], type, 4) == 0) return at;
  }
  ADD_FAILURE() << "no " << type << " chunk";
  return 0;
}

std::vector<std::uint8_t> Chunk(const char* type, const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> chunk;
  for (const int shift : {24, 16, 8, 0}) {
    chunk.push_back(static_cast<std::uint8_t>(data.size() >> shift));
  }
  chunk.insert(chunk.end(), type, type + 4);
  chunk.insert(chunk.end(), data.begin(), data.end());
  const uLong crc = crc32(0, chunk.data() + 4, static_cast<uInt>(chunk.size() - 4));
  for (const int shift : {24, 16, 8, 0}) chunk.push_back(static_cast<std::uint8_t>(crc >> shift));
  return chunk;
}

// A PNG signature and an IHDR declaring width x height (8-bit grey), nothing more.
std::vector<std::uint8_t> HeaderOnly(std::uint32_t width, std::uint32_t height) {
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<std::uint8_t> ihdr;
  for (const std::uint32_t side : {width, height}) {
    for (const int shift : {24, 16, 8, 0}) ihdr.push_back(static_cast<std::uint8_t>(side >> shift));
  }
  ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});
  const auto chunk = Chunk("IHDR", ihdr);
  png.insert(png.end(), chunk.begin(), chunk.end());
  return png;
}

TEST(PngDecoderTest, ConformanceVectorsDecodeAsOpenCvDecodesThem) {
  ExpectVectorsDecodeAsOpenCv(".png", 7, DecodePng);
}

TEST(PngDecoderTest, EveryColourTypeBitDepthAndInterlacingDecodesAsOpenCvDecodesIt) {
  const auto layouts = testing::AllPngLayouts();
  ASSERT_EQ(layouts.size(), 52u);
  for (const auto& layout : layouts) {
    SCOPED_TRACE(layout.Name());
    // Odd sides leave Adam7's last passes partly empty; 1 x 1 leaves some of them empty.
    for (const auto& [width, height] : {std::pair{37, 23}, std::pair{1, 1}, std::pair{3, 9}}) {
      const auto png = testing::WriteTestPng(layout, width, height);
      const Result<DecodedImage> image = DecodePng(png, kBudget);
      ExpectSameAsOpenCv(image, png);
      const bool alpha = layout.colour_type & PNG_COLOR_MASK_ALPHA;
      const bool colour_transparency =
          layout.transparency && layout.colour_type != PNG_COLOR_TYPE_GRAY;
      const PixelFormat expected = alpha || colour_transparency ? PixelFormat::kRgba8
                                   : layout.colour_type & PNG_COLOR_MASK_COLOR
                                       ? PixelFormat::kRgb8
                                       : PixelFormat::kGray8;
      if (image.ok()) {
        EXPECT_EQ(image->format, expected);
      }
    }
  }
}

// 16-bit samples are scaled to v / 257 rounded, as OpenCV's convertTo does; a large image covers
// most of the 65536 values.
TEST(PngDecoderTest, SixteenBitSamplesScaleAsOpenCvScalesThem) {
  for (const int type : {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_RGB_ALPHA}) {
    const auto png = testing::WriteTestPng({.colour_type = type, .bit_depth = 16}, 256, 256, 7);
    ExpectSameAsOpenCv(DecodePng(png, kBudget), png);
  }
}

TEST(PngDecoderTest, HashesMatchOpenCvsOnEveryLayout) {
  for (const auto& layout : testing::AllPngLayouts()) {
    SCOPED_TRACE(layout.Name());
    ExpectSameHashesAsOpenCv(testing::WriteTestPng(layout, 64, 48));
  }
}

TEST(PngDecoderTest, TruncatedDataIsCorruptAtEveryCut) {
  for (const auto& layout :
       {testing::PngLayout{.colour_type = PNG_COLOR_TYPE_RGB},
        testing::PngLayout{
            .colour_type = PNG_COLOR_TYPE_PALETTE, .interlaced = true, .transparency = true},
        testing::PngLayout{.colour_type = PNG_COLOR_TYPE_RGB_ALPHA,
        .bit_depth = 16,
        .interlaced = true,
        .gamma_and_text = true}}) {
    SCOPED_TRACE(layout.Name());
    const auto png = testing::WriteTestPng(layout, 40, 30);
    for (std::size_t cut = 0; cut < png.size(); ++cut) {
      const Result<DecodedImage> image = DecodePng(std::span(png).first(cut), kBudget);
      ASSERT_FALSE(image.ok()) << "cut at " << cut;
      ASSERT_EQ(image.status().code(), StatusCode::kCorrupt) << "cut at " << cut;
      EXPECT_EQ(image.status().message(), "PNG data is truncated") << "cut at " << cut;
    }
  }
}

TEST(PngDecoderTest, CriticalChunkCrcMismatchIsMalformed) {
  auto png = testing::WriteTestPng({}, 16, 16);
  const std::size_t idat = FindChunk(png, "IDAT");
  png[idat + 8 + Be32(png, idat) + 3] ^= 1;  // the CRC's last byte
  const Result<DecodedImage> image = DecodePng(png, kBudget);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(image.status().message(), "PNG data is malformed");
  EXPECT_FALSE(DecodeWithOpenCv(png).ok());
}

// libpng only warns about an ancillary chunk's CRC and drops the chunk; OpenCV's decode does the
// same. A tRNS dropped that way takes the alpha channel with it.
TEST(PngDecoderTest, AncillaryChunkCrcMismatchDropsTheChunkAsOpenCvDoes) {
  for (const char* type : {"gAMA", "tRNS", "zTXt"}) {
    SCOPED_TRACE(type);
    auto png = testing::WriteTestPng({.transparency = true, .gamma_and_text = true}, 16, 16);
    const std::size_t chunk = FindChunk(png, type);
    png[chunk + 8 + Be32(png, chunk)] ^= 1;
    const Result<DecodedImage> image = DecodePng(png, kBudget);
    ExpectSameAsOpenCv(image, png);
    if (image.ok()) {
      EXPECT_EQ(image->format,
                type == std::string("tRNS") ? PixelFormat::kRgb8 : PixelFormat::kRgba8);
    }
  }
}

TEST(PngDecoderTest, HeaderOverThePixelBudgetIsRefusedBeforeDecoding) {
  for (const auto& [width, height] :
       {std::pair{60000u, 60000u}, std::pair{1u, 2000001u}, std::pair{2001u, 1000u}}) {
    const Result<DecodedImage> image = DecodePng(HeaderOnly(width, height), 2'000'000);
    ASSERT_FALSE(image.ok());
    EXPECT_EQ(image.status().code(), StatusCode::kResourceExhausted) << width << "x" << height;
  }
  // Within the budget, the same header is refused for what it lacks.
  EXPECT_EQ(DecodePng(HeaderOnly(2000, 1000), 2'000'000).status().code(), StatusCode::kCorrupt);
}

TEST(PngDecoderTest, TextChunkBombsAreSkippedNotInflated) {
  // 200 zTXt chunks inflating to 4 MiB each: stored, they would take 800 MiB.
  auto png = testing::WriteTestPng({}, 8, 8);
  const std::vector<std::uint8_t> text(std::size_t{4} << 20, 'a');
  std::vector<std::uint8_t> deflated(compressBound(text.size()));
  uLongf deflated_size = deflated.size();
  ASSERT_EQ(compress(deflated.data(), &deflated_size, text.data(), text.size()), Z_OK);
  std::vector<std::uint8_t> ztxt = {'k', 0, 0};
  ztxt.insert(ztxt.end(), deflated.begin(),
              deflated.begin() + static_cast<std::ptrdiff_t>(deflated_size));
  const auto chunk = Chunk("zTXt", ztxt);
  std::vector<std::uint8_t> chunks;
  for (int i = 0; i < 200; ++i) chunks.insert(chunks.end(), chunk.begin(), chunk.end());
  png.insert(png.begin() + static_cast<std::ptrdiff_t>(FindChunk(png, "IDAT")), chunks.begin(),
             chunks.end());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(DecodePng(png, kBudget).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(PngDecoderTest, NotAPngIsMalformed) {
  const std::vector<std::uint8_t> jpeg(64, 0xFF);
  EXPECT_EQ(DecodePng(jpeg, kBudget).status().message(), "PNG data is malformed");
  EXPECT_EQ(DecodePng({}, kBudget).status().code(), StatusCode::kCorrupt);
}

TEST(PngEncoderTest, GreyRoundTripsThroughBothDecoders) {
  for (const auto& [width, height] : {std::pair{1, 1}, std::pair{64, 64}, std::pair{301, 17}}) {
    std::vector<std::uint8_t> grey(static_cast<std::size_t>(width) * height);
    for (std::size_t i = 0; i < grey.size(); ++i) {
      grey[i] = static_cast<std::uint8_t>(i * 37 + i / 7);
    }
    const Result<std::vector<std::uint8_t>> png = EncodeGreyPng(grey.data(), width, height);
    ASSERT_TRUE(png.ok()) << png.status().ToString();
    const Result<DecodedImage> image = DecodePng(*png, kBudget);
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    EXPECT_EQ(image->format, PixelFormat::kGray8);
    EXPECT_EQ(image->width, width);
    EXPECT_EQ(image->height, height);
    EXPECT_EQ(image->pixels, grey);
    ExpectSameAsOpenCv(image, *png);
  }
}

TEST(PngEncoderTest, EmptyImagesAreInvalidInput) {
  const std::uint8_t pixel = 0;
  EXPECT_EQ(EncodeGreyPng(nullptr, 1, 1).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(EncodeGreyPng(&pixel, 0, 1).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(EncodeGreyPng(&pixel, 1, -1).status().code(), StatusCode::kInvalidInput);
}

}  // namespace
}  // namespace hashveil::matcher
