#include "jpeg_early_scans.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include <jpeglib.h>

#include "hashveil/common/secret_file.h"
#include "jpeg_decoder.h"
#include "jpeg_transcode.h"
#include "support/test_paths.h"

namespace hashveil::matcher {
namespace {

using test_jpeg::Bytes;
using test_jpeg::IsProgressive;
using test_jpeg::MemoryDecoder;
using test_jpeg::MemoryEncoder;
using test_jpeg::TranscodeToProgressive;
constexpr std::uint64_t kMaxPixels = 100'000'000;

// libjpeg's own early-scan output (buffered-image mode, block smoothing off) at 1/8 after the scan
// completing luma's DC, or at 1/4 after the one completing its DC and zigzag 1, 2 and 4: the
// pixels the reader must reproduce bit for bit. Valid files only (libjpeg's default error
// handler exits).
DecodedImage LibjpegEarlyScans(const Bytes& bytes, int denominator) {
  MemoryDecoder decoder(bytes);
  jpeg_decompress_struct& cinfo = decoder.cinfo();
  cinfo.out_color_space = JCS_GRAYSCALE;
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned>(denominator);
  cinfo.buffered_image = TRUE;
  cinfo.do_block_smoothing = FALSE;
  cinfo.dct_method = JDCT_IFAST;  // as fast mode asks; the reduced IDCTs ignore it
  jpeg_start_decompress(&cinfo);
  const auto needed_known = [&] {
    const int* bits = cinfo.coef_bits[0];
    return bits[0] >= 0 && (denominator == 8 || (bits[1] >= 0 && bits[2] >= 0 && bits[4] >= 0));
  };
  for (;;) {
    const int status = jpeg_consume_input(&cinfo);
    if (status == JPEG_REACHED_EOI || status == JPEG_SUSPENDED) break;
    if (status == JPEG_SCAN_COMPLETED && needed_known()) break;
  }
  jpeg_start_output(&cinfo, cinfo.input_scan_number);
  DecodedImage image;
  image.width = static_cast<int>(cinfo.output_width);
  image.height = static_cast<int>(cinfo.output_height);
  image.format = PixelFormat::kGray8;
  image.pixels.resize(static_cast<std::size_t>(image.width) * image.height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = image.pixels.data() + static_cast<std::size_t>(cinfo.output_scanline) * image.width;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_abort_decompress(&cinfo);
  return image;
}

Result<DecodedImage> DecodeEarlyScans(const Bytes& bytes, int denominator) {
  return denominator == 8 ? DecodeFirstScanLuma(bytes, kMaxPixels) : DecodeFirstAcScanLuma(bytes, kMaxPixels, denominator);
}

// The reader at every scale against libjpeg.
void ExpectSameAsLibjpeg(const Bytes& bytes, const std::string& label) {
  for (const int denominator : {8, 4, 2}) {
    const Result<DecodedImage> ours = DecodeEarlyScans(bytes, denominator);
    ASSERT_TRUE(ours.ok()) << label << " 1/" << denominator << ": " << ours.status().ToString();
    const DecodedImage theirs = LibjpegEarlyScans(bytes, denominator);
    ASSERT_EQ(ours->width, theirs.width) << label;
    ASSERT_EQ(ours->height, theirs.height) << label;
    EXPECT_EQ(ours->format, PixelFormat::kGray8);
    EXPECT_TRUE(ours->pixels == theirs.pixels) << label << " 1/" << denominator;
  }
}

struct Layout {
  int components = 3;  // 1: grey, 3: YCbCr (or RGB with rgb = true)
  int luma_h = 2, luma_v = 2;
  int restart_interval = 0;  // in MCUs
  int quality = 90;
  bool progressive = true;
  bool rgb = false;
  const jpeg_scan_info* scans = nullptr;  // a custom progression script
  int scan_count = 0;
};

// Encodes a synthetic photo-like image (gradients, edges and noise, so DC differences span many
// Huffman categories) with libjpeg.
Bytes Encode(int width, int height, const Layout& layout) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height * layout.components);
  std::uint32_t noise = 12345;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < layout.components; ++c) {
        noise = noise * 1103515245u + 12345u;
        const int edge = ((x / 37 + y / 23) % 2) * 90;
        const int value = (x * 255 / width + y * (c + 1) * 97 / height + edge + static_cast<int>(noise >> 28)) % 256;
        pixels[(static_cast<std::size_t>(y) * width + x) * layout.components + c] = static_cast<std::uint8_t>(value);
      }
    }
  }
  MemoryEncoder encoder;
  jpeg_compress_struct& cinfo = encoder.cinfo();
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = layout.components;
  cinfo.in_color_space = layout.components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  if (layout.rgb) jpeg_set_colorspace(&cinfo, JCS_RGB);
  jpeg_set_quality(&cinfo, layout.quality, TRUE);
  cinfo.comp_info[0].h_samp_factor = layout.luma_h;
  cinfo.comp_info[0].v_samp_factor = layout.luma_v;
  cinfo.restart_interval = static_cast<unsigned>(layout.restart_interval);
  if (layout.progressive) jpeg_simple_progression(&cinfo);
  if (layout.scans != nullptr) {
    cinfo.scan_info = layout.scans;
    cinfo.num_scans = layout.scan_count;
  }
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = pixels.data() + static_cast<std::size_t>(cinfo.next_scanline) * width * layout.components;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  return encoder.Finish();
}

TEST(JpegEarlyScansTest, MatchesLibjpegOnRealProgressivePhotos) {
  HV_REQUIRE_PINNED_PHOTOS(photos);
  int progressive = 0;
  for (const auto& photo : photos) {
    const Bytes bytes = *ReadFileBytes(photo, std::size_t{1} << 30);
    if (!IsProgressive(bytes)) continue;
    ++progressive;
    ExpectSameAsLibjpeg(bytes, photo.filename().string());
  }
  EXPECT_GT(progressive, 0);
}

TEST(JpegEarlyScansTest, MatchesLibjpegOnPhotosMadeProgressiveWithRestartIntervals) {
  HV_REQUIRE_PINNED_PHOTOS(photos);
  int transcoded = 0;
  for (const auto& photo : photos) {
    const Bytes bytes = *ReadFileBytes(photo, std::size_t{1} << 30);
    if (IsProgressive(bytes) || transcoded >= 3) continue;  // three large baseline photos suffice
    for (int restart : {0, 1, 7}) {
      ExpectSameAsLibjpeg(TranscodeToProgressive(bytes, restart),
                          photo.filename().string() + " restart " + std::to_string(restart));
    }
    ++transcoded;
  }
}

TEST(JpegEarlyScansTest, MatchesLibjpegOnConformanceVectorsMadeProgressive) {
  int checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::PdqVectorsDir())) {
    const auto ext = entry.path().extension();
    if (ext != ".jpg" && ext != ".jpeg") continue;
    const Bytes progressive = TranscodeToProgressive(*ReadFileBytes(entry.path(), std::size_t{1} << 30), 0);
    const Result<DecodedImage> ours = DecodeFirstScanLuma(progressive, kMaxPixels);
    if (!ours.ok() && ours.status().code() == StatusCode::kUnsupported) continue;  // e.g. CMYK
    ExpectSameAsLibjpeg(progressive, entry.path().filename().string());
    ++checked;
  }
  EXPECT_GT(checked, 20);
}

TEST(JpegEarlyScansTest, MatchesLibjpegAcrossSamplingRestartsAndQualities) {
  struct Case {
    const char* name;
    int width, height;
    Layout layout;
  };
  const Case cases[] = {
      {"4:2:0", 333, 201, {.components = 3, .luma_h = 2, .luma_v = 2}},
      {"4:4:4", 120, 97, {.components = 3, .luma_h = 1, .luma_v = 1}},
      {"4:2:2", 65, 130, {.components = 3, .luma_h = 2, .luma_v = 1}},
      {"4:4:0", 77, 61, {.components = 3, .luma_h = 1, .luma_v = 2}},
      {"grey", 99, 250, {.components = 1, .luma_h = 1, .luma_v = 1}},
      {"grey restart 1", 99, 250, {.components = 1, .luma_h = 1, .luma_v = 1, .restart_interval = 1}},
      {"4:2:0 restart 1", 333, 201, {.components = 3, .restart_interval = 1}},
      {"4:2:0 restart 5", 333, 201, {.components = 3, .restart_interval = 5}},
      {"4:4:4 restart 3", 120, 97, {.components = 3, .luma_h = 1, .luma_v = 1, .restart_interval = 3}},
      {"quality 100", 200, 150, {.components = 3, .quality = 100}},
      {"quality 5", 200, 150, {.components = 3, .quality = 5}},
      {"one block", 8, 8, {.components = 3}},
      {"one pixel", 1, 1, {.components = 1}},
  };
  for (const Case& c : cases) ExpectSameAsLibjpeg(Encode(c.width, c.height, c.layout), c.name);
}

TEST(JpegEarlyScansTest, ReadsANonInterleavedFirstScanOfLuma) {
  // Y's DC alone first, then the other DC scans and full spectral scans.
  const jpeg_scan_info scans[] = {
      {1, {0}, 0, 0, 0, 0}, {1, {1}, 0, 0, 0, 0}, {1, {2}, 0, 0, 0, 0},
      {1, {0}, 1, 63, 0, 0}, {1, {1}, 1, 63, 0, 0}, {1, {2}, 1, 63, 0, 0},
  };
  const Layout layout{.components = 3, .restart_interval = 2, .scans = scans, .scan_count = 6};
  ExpectSameAsLibjpeg(Encode(150, 91, layout), "Y DC scan first");
}

TEST(JpegEarlyScansTest, ReadsLumaAcAfterChromaAndEveryFirstBandReachingTheDiagonal) {
  // Chroma's AC scans before luma's, no successive approximation (as in rhythm.jpg).
  const jpeg_scan_info chroma_ac_first[] = {
      {3, {0, 1, 2}, 0, 0, 0, 0}, {1, {1}, 1, 5, 0, 0}, {1, {2}, 1, 5, 0, 0}, {1, {0}, 1, 5, 0, 0},
      {1, {1}, 6, 63, 0, 0},      {1, {2}, 6, 63, 0, 0}, {1, {0}, 6, 63, 0, 0},
  };
  // The shortest band a reduced IDCT can start from (zigzag 1-4), after a DC scan with Al = 1.
  const jpeg_scan_info band_to_diagonal[] = {
      {1, {0}, 0, 0, 0, 1}, {1, {0}, 1, 4, 0, 2}, {1, {0}, 5, 63, 0, 2},
      {1, {0}, 1, 63, 2, 1}, {1, {0}, 0, 0, 1, 0}, {1, {0}, 1, 63, 1, 0},
  };
  ExpectSameAsLibjpeg(Encode(150, 91, {.restart_interval = 3, .scans = chroma_ac_first, .scan_count = 7}),
                      "chroma AC first");
  ExpectSameAsLibjpeg(Encode(99, 70, {.components = 1, .luma_h = 1, .luma_v = 1, .restart_interval = 4,
                                      .scans = band_to_diagonal, .scan_count = 6}),
                      "grey, band 1-4");
}

TEST(JpegEarlyScansTest, OutputsDcAloneWhenTheImageEndsBeforeAnyLumaAcScan) {
  const jpeg_scan_info dc_and_chroma[] = {{3, {0, 1, 2}, 0, 0, 0, 0}, {1, {1}, 1, 63, 0, 0}, {1, {2}, 1, 63, 0, 0}};
  ExpectSameAsLibjpeg(Encode(77, 61, {.scans = dc_and_chroma, .scan_count = 3}), "no luma AC");
}

// Files the reader leaves to libjpeg, and what fast decoding (DecodeJpeg) then outputs: libjpeg's
// own early-scan pixels, at each scale (the small images take 1/8, 1/4 or 1/2 from min_side).
TEST(JpegEarlyScansTest, LeavesOtherLayoutsAndScanOrdersToLibjpeg) {
  const jpeg_scan_info chroma_dc_first[] = {
      {1, {1}, 0, 0, 0, 0}, {1, {0}, 0, 0, 0, 0}, {1, {2}, 0, 0, 0, 0},
      {1, {0}, 1, 63, 0, 0}, {1, {1}, 1, 63, 0, 0}, {1, {2}, 1, 63, 0, 0},
  };
  const jpeg_scan_info short_first_band[] = {{1, {0}, 0, 0, 0, 0}, {1, {0}, 1, 2, 0, 0}, {1, {0}, 3, 63, 0, 0}};
  const jpeg_scan_info dc_refined_first[] = {
      {1, {0}, 0, 0, 0, 1}, {1, {0}, 0, 0, 1, 0}, {1, {0}, 1, 63, 0, 0}};
  struct Case {
    const char* name;
    Bytes bytes;
    bool first_scan_taken;  // the 1/8 reader takes it
  };
  const Case cases[] = {
      {"RGB", Encode(96, 80, {.luma_h = 1, .luma_v = 1, .rgb = true}), false},
      {"chroma DC first", Encode(96, 80, {.scans = chroma_dc_first, .scan_count = 6}), false},
      {"band 1-2 first", Encode(96, 80, {.components = 1, .luma_h = 1, .luma_v = 1, .scans = short_first_band, .scan_count = 3}), true},
      {"DC refined first", Encode(96, 80, {.components = 1, .luma_h = 1, .luma_v = 1, .scans = dc_refined_first, .scan_count = 3}), true},
  };
  EXPECT_EQ(DecodeFirstScanLuma(Encode(64, 64, {.progressive = false}), kMaxPixels).status().code(),
            StatusCode::kUnsupported);
  for (const Case& c : cases) {
    EXPECT_EQ(DecodeFirstScanLuma(c.bytes, kMaxPixels).ok(), c.first_scan_taken) << c.name;
    for (const int denominator : {4, 2}) {
      EXPECT_EQ(DecodeFirstAcScanLuma(c.bytes, kMaxPixels, denominator).status().code(), StatusCode::kUnsupported)
          << c.name;
    }
    if (std::string(c.name) == "RGB") continue;  // libjpeg's early scans of RGB need every component
    for (const auto& [denominator, min_side] : {std::pair{8, 10}, std::pair{4, 20}, std::pair{2, 40}}) {
      const Result<DecodedImage> fast =
          DecodeJpeg(c.bytes, {.max_pixels = kMaxPixels, .min_side = min_side, .early_scans = true});
      ASSERT_TRUE(fast.ok()) << c.name;
      EXPECT_EQ(fast->pixels, LibjpegEarlyScans(c.bytes, denominator).pixels) << c.name << " 1/" << denominator;
    }
  }
}

// A small progressive file (libjpeg's standard script: the DC scan, then luma's AC 1-5) and where
// each of its first two scans ends (the next marker after their SOS).
struct SmallFile {
  Bytes bytes = Encode(48, 40, {.components = 3, .restart_interval = 2});
  std::size_t scan_end(int scan) const {
    std::size_t pos = 2;
    for (int seen = 0;;) {
      const int marker = bytes[pos + 1];
      pos += 2 + (bytes[pos + 2] << 8 | bytes[pos + 3]);
      if (marker != 0xDA) continue;
      while (!(bytes[pos] == 0xFF && bytes[pos + 1] != 0 && (bytes[pos + 1] & 0xF8) != 0xD0)) ++pos;
      if (seen++ == scan) return pos;
    }
  }
};

bool IsCleanError(const Status& status) {
  return status.code() == StatusCode::kCorrupt || status.code() == StatusCode::kUnsupported;
}

TEST(JpegEarlyScansTest, TruncatedFilesFailCleanlyUntilTheScansReadAreWhole) {
  const SmallFile file;
  for (const int denominator : {8, 4, 2}) {
    const std::size_t needed = file.scan_end(denominator == 8 ? 0 : 1);
    const Result<DecodedImage> whole = DecodeEarlyScans(file.bytes, denominator);
    ASSERT_TRUE(whole.ok());
    for (std::size_t length = 0; length <= file.bytes.size(); ++length) {
      const Bytes prefix(file.bytes.begin(), file.bytes.begin() + static_cast<std::ptrdiff_t>(length));
      const Result<DecodedImage> result = DecodeEarlyScans(prefix, denominator);
      if (length < needed) {
        EXPECT_TRUE(!result.ok() && IsCleanError(result.status())) << denominator << " " << length;
      } else {
        ASSERT_TRUE(result.ok()) << denominator << " " << length;  // the rest of the file is never read
        EXPECT_EQ(result->pixels, whole->pixels);
      }
    }
  }
}

TEST(JpegEarlyScansTest, EverySingleByteChangeFailsCleanlyOrDecodes) {
  const SmallFile file;
  for (const int denominator : {8, 4, 2}) {
    int errors = 0;
    for (std::size_t i = 0; i < file.scan_end(denominator == 8 ? 0 : 1); ++i) {
      for (const std::uint8_t value : {std::uint8_t{0x00}, std::uint8_t{0xFF}, static_cast<std::uint8_t>(file.bytes[i] ^ 0x01),
                                       static_cast<std::uint8_t>(file.bytes[i] ^ 0x80)}) {
        if (value == file.bytes[i]) continue;
        Bytes changed = file.bytes;
        changed[i] = value;
        const Result<DecodedImage> result = DecodeEarlyScans(changed, denominator);
        if (result.ok()) {
          EXPECT_EQ(result->pixels.size(), static_cast<std::size_t>(result->width) * result->height);
        } else {
          ++errors;
          EXPECT_TRUE(IsCleanError(result.status()) || result.status().code() == StatusCode::kResourceExhausted)
              << i << " " << result.status().ToString();
        }
      }
    }
    EXPECT_GT(errors, 0) << denominator;
  }
}

// SOI, then one segment declaring `declared_length` whatever its body's real length.
Bytes WithSegment(std::uint8_t marker, const Bytes& body, std::size_t declared_length) {
  const std::uint8_t head[] = {0xFF, 0xD8, 0xFF, marker, static_cast<std::uint8_t>(declared_length >> 8),
                               static_cast<std::uint8_t>(declared_length & 0xFF)};
  Bytes bytes(std::size(head) + body.size());
  std::copy(std::begin(head), std::end(head), bytes.begin());
  std::copy(body.begin(), body.end(), bytes.begin() + std::ssize(head));
  return bytes;
}

TEST(JpegEarlyScansTest, RefusesAbsurdMarkerLengths) {
  const Bytes quant(65, 1);
  for (const std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{0xFFFF}}) {
    const Status status = DecodeFirstScanLuma(WithSegment(0xDB, quant, length), kMaxPixels).status();
    EXPECT_EQ(status.code(), StatusCode::kCorrupt) << length;
  }
  // A DQT segment shorter than the table it announces.
  EXPECT_EQ(DecodeFirstScanLuma(WithSegment(0xDB, Bytes(20, 1), 22), kMaxPixels).status().code(),
            StatusCode::kCorrupt);
}

TEST(JpegEarlyScansTest, RefusesHuffmanTablesThatOverflowOrExceedDcCategories) {
  const SmallFile file;
  // The first DHT holds a DC table: give it three 1-bit codes (which cannot exist), same total.
  std::size_t dht = 2;
  while (file.bytes[dht + 1] != 0xC4) dht += 2 + (file.bytes[dht + 2] << 8 | file.bytes[dht + 3]);
  ASSERT_EQ(file.bytes[dht + 4] >> 4, 0) << "expected a DC table first";
  int total = 0;
  for (int n = 1; n <= 16; ++n) total += file.bytes[dht + 4 + n];
  ASSERT_GE(total, 3);
  Bytes overflow = file.bytes;
  for (int n = 1; n <= 16; ++n) overflow[dht + 4 + n] = 0;
  overflow[dht + 5] = 3;
  overflow[dht + 20] = static_cast<std::uint8_t>(total - 3);
  EXPECT_EQ(DecodeFirstScanLuma(overflow, kMaxPixels).status().code(), StatusCode::kCorrupt);
  // A DC category of 16 (only 0..15 exist).
  Bytes category = file.bytes;
  category[dht + 21] = 16;
  EXPECT_EQ(DecodeFirstScanLuma(category, kMaxPixels).status().code(), StatusCode::kCorrupt);
}

TEST(JpegEarlyScansTest, HugeDeclaredDimensionsAreRefusedBeforeAllocating) {
  Bytes bytes = SmallFile().bytes;
  std::size_t sof = 2;
  while (bytes[sof + 1] != 0xC2) sof += 2 + (bytes[sof + 2] << 8 | bytes[sof + 3]);
  for (const std::size_t offset : {sof + 5, sof + 7}) bytes[offset] = bytes[offset + 1] = 0xFF;  // 65535x65535
  EXPECT_EQ(DecodeFirstScanLuma(bytes, kMaxPixels).status().code(), StatusCode::kResourceExhausted);
  // Within a generous pixel cap, the file is far too short for 65535^2/64 blocks: refused as
  // truncated before the plane is allocated.
  bytes[sof + 5] = bytes[sof + 7] = 0xFF;
  bytes[sof + 6] = bytes[sof + 8] = 0xDC;  // 65500x65500, libjpeg's maximum
  EXPECT_EQ(DecodeFirstScanLuma(bytes, std::uint64_t{1} << 40).status().code(), StatusCode::kCorrupt);
}

TEST(JpegEarlyScansTest, OnlyHalfAndQuarterScalesComeFromTheFirstAcScan) {
  const Bytes bytes = SmallFile().bytes;
  for (const int denominator : {0, 1, 3, 8}) {
    EXPECT_EQ(DecodeFirstAcScanLuma(bytes, kMaxPixels, denominator).status().code(), StatusCode::kInvalidInput);
  }
}

TEST(JpegEarlyScansTest, EmptyAndNonJpegInputFailCleanly) {
  EXPECT_EQ(DecodeFirstScanLuma({}, kMaxPixels).status().code(), StatusCode::kCorrupt);
  const Bytes text = {'n', 'o', 't', ' ', 'a', ' ', 'j', 'p', 'e', 'g'};
  EXPECT_EQ(DecodeFirstScanLuma(text, kMaxPixels).status().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace hashveil::matcher
