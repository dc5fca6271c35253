#include "jpeg_early_scans.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "jpeg_entropy.h"
#include "jpeg_markers.h"
#include "jpeg_reduced_idct.h"

namespace hashveil::matcher {
namespace {

constexpr int kMaxBlocksInMcu = 10;  // T.81 B.2.3
// Zigzag index of coefficient (1, 1): libjpeg's early output waits for zigzag 1, 2 and 4, so the
// first luma AC band must start at 1 and reach this.
constexpr int kLowestDiagonal = 4;

// Zigzag index to natural (row-major) index.
constexpr int kNaturalOrder[64] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

Status Malformed() { return Status::Corrupt("JPEG early scans are malformed"); }
Status Truncated() { return Status::Corrupt("JPEG data is truncated"); }
Status BadEntropyData(const EntropyReader& reader) { return reader.ended_at_file_end() ? Truncated() : Malformed(); }

std::uint64_t CeilDiv(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

// Luma after the first scan: its quantisation table (latched there, as libjpeg latches a
// component's table at its first scan) and each block's DC coefficient as libjpeg stores it.
struct LumaDc {
  JpegHeader header;
  QuantBlock quant{};  // natural order
  std::uint64_t width = 0, height = 0;  // the image's, in pixels
  std::uint64_t blocks_wide = 0, blocks_high = 0;
  std::vector<std::int16_t> dc;  // row-major blocks
  std::size_t scan_end = 0;      // where the first scan's entropy-coded data ends
};

// Calls `visit(mcu, restarted)` per MCU of a scan, in order, after reading the restart marker
// due before it (restarted: one was). False when a marker is missing or out of sequence, or
// when `visit` returns false.
template <typename Visit>
bool ForEachMcu(EntropyReader& reader, int restart_interval, std::uint64_t mcus, Visit&& visit) {
  int next_restart = 0;
  std::uint64_t left_in_interval = static_cast<std::uint64_t>(restart_interval);
  for (std::uint64_t mcu = 0; mcu < mcus; ++mcu) {
    bool restarted = false;
    if (restart_interval > 0) {
      if (left_in_interval == 0) {
        if (!reader.Restart(next_restart)) return false;
        next_restart = (next_restart + 1) & 7;
        left_in_interval = static_cast<std::uint64_t>(restart_interval);
        restarted = true;
      }
      --left_in_interval;
    }
    if (!visit(mcu, restarted)) return false;
  }
  return true;
}

// Decodes the DC differences of the first scan (T.81 G.1.2.1), keeping luma's.
Status DecodeDcScan(std::span<const std::uint8_t> bytes, std::size_t pos, const JpegScan& scan, LumaDc& luma) {
  const JpegHeader& header = luma.header;
  const JpegFrame& frame = *header.frame;
  std::vector<HuffmanDecoder> decoders;
  int blocks_in_mcu = 0;
  for (const JpegScanComponent& sc : scan.components) {
    const auto& spec = header.dc_tables[sc.dc_table];
    if (!spec) return Malformed();
    auto decoder = HuffmanDecoder::Build(*spec, /*dc_table=*/true);
    if (!decoder) return Malformed();
    decoders.push_back(*decoder);
    const JpegComponent& c = frame.components[sc.index];
    blocks_in_mcu += scan.components.size() == 1 ? 1 : c.h * c.v;
  }
  if (blocks_in_mcu > kMaxBlocksInMcu) return Malformed();

  // A non-interleaved scan of luma codes exactly its blocks; an interleaved one whole MCUs.
  const bool interleaved = scan.components.size() > 1;
  const std::uint64_t mcus_x = interleaved ? CeilDiv(frame.width, 8u * frame.max_h) : luma.blocks_wide;
  const std::uint64_t mcus_y = interleaved ? CeilDiv(frame.height, 8u * frame.max_v) : luma.blocks_high;
  // Every block's DC difference takes at least one bit: refuse a file too short to hold them
  // before allocating anything from the declared size.
  if (mcus_x * mcus_y * static_cast<std::uint64_t>(blocks_in_mcu) > 8 * static_cast<std::uint64_t>(bytes.size() - pos)) {
    return Truncated();
  }
  Refit(luma.dc, luma.blocks_wide * luma.blocks_high, /*zero=*/true);

  EntropyReader reader(bytes, pos);
  std::array<int, kMaxJpegComponents> last_dc{};
  const bool complete = ForEachMcu(reader, header.restart_interval, mcus_x * mcus_y, [&](std::uint64_t mcu, bool restarted) {
    if (restarted) last_dc.fill(0);
    const std::uint64_t my = mcu / mcus_x, mx = mcu % mcus_x;
    for (std::size_t s = 0; s < scan.components.size(); ++s) {
      const JpegComponent& c = frame.components[scan.components[s].index];
      const int rows = interleaved ? c.v : 1, cols = interleaved ? c.h : 1;
      for (int r = 0; r < rows; ++r) {
        for (int col = 0; col < cols; ++col) {
          const int category = reader.DecodeSymbol(decoders[s]);
          const int raw = category < 0 ? -1 : reader.ReadBits(category);
          if (raw < 0) return false;
          const long long dc = static_cast<long long>(last_dc[s]) + ExtendSign(raw, category);
          if (dc > INT_MAX || dc < INT_MIN) return false;  // libjpeg refuses it too
          last_dc[s] = static_cast<int>(dc);
          if (scan.components[s].index != 0) continue;
          const std::uint64_t by = my * rows + r, bx = mx * cols + col;
          if (by >= luma.blocks_high || bx >= luma.blocks_wide) continue;  // padding blocks of the last MCUs
          // libjpeg stores the coefficient as a 16-bit JCOEF.
          luma.dc[by * luma.blocks_wide + bx] = static_cast<std::int16_t>(static_cast<std::uint32_t>(dc) << scan.al);
        }
      }
    }
    return true;
  });
  if (!complete) return BadEntropyData(reader);
  luma.scan_end = EndOfEntropyData(bytes, reader.position());
  return Status::Ok();
}

// With `scratch`, luma.dc takes its storage from scratch->dc (DcBack gives it back).
Result<LumaDc> ReadFirstScan(std::span<const std::uint8_t> bytes, std::uint64_t max_pixels,
                             HashingScratch* scratch) {
  LumaDc luma;
  if (scratch) luma.dc.swap(scratch->dc);
  HV_ASSIGN_OR_RETURN(const NextScan first, ReadMarkersToScan(bytes, 0, max_pixels, luma.header));
  if (!first.scan) return Malformed();
  const JpegScan& scan = *first.scan;
  if (scan.ss != 0 || scan.ah != 0 || scan.components[0].index != 0) {
    return Status::Unsupported("JPEG's first scan is not a DC scan holding luma");
  }
  const JpegFrame& frame = *luma.header.frame;
  const JpegComponent& component = frame.components[0];
  if (component.h != frame.max_h || component.v != frame.max_v) {
    return Status::Unsupported("JPEG luma is subsampled");
  }
  if (!FirstComponentIsLuma(luma.header)) return Status::Unsupported("JPEG colour space is not grey or YCbCr");
  const auto& quant = luma.header.quant_tables[component.quant_table];
  if (!quant) return Malformed();
  // libjpeg multiplies as 16-bit values (its ISLOW_MULT_TYPE is short with SIMD).
  for (int k = 0; k < 64; ++k) luma.quant[kNaturalOrder[k]] = static_cast<std::int16_t>((*quant)[k]);
  luma.width = static_cast<std::uint64_t>(frame.width);
  luma.height = static_cast<std::uint64_t>(frame.height);
  luma.blocks_wide = CeilDiv(luma.width, 8);
  luma.blocks_high = CeilDiv(luma.height, 8);
  HV_RETURN_IF_ERROR(DecodeDcScan(bytes, first.data, scan, luma));
  return luma;
}

// Gives a DC buffer's storage back to the scratch when the decode ends, whichever way.
struct DcBack {
  HashingScratch* scratch;
  std::vector<std::int16_t>& dc;
  ~DcBack() {
    if (scratch) scratch->dc = std::move(dc);
  }
};

DecodedImage GrayPlane(std::uint64_t width, std::uint64_t height, HashingScratch* scratch) {
  DecodedImage image;
  image.width = static_cast<int>(width);
  image.height = static_cast<int>(height);
  image.format = PixelFormat::kGray8;
  if (scratch) {
    image.pixels = TakeBuffer(scratch->pixels, width * height, /*zero=*/true);
  } else {
    image.pixels.resize(width * height);
  }
  return image;
}

// One block's inverse DCT to kSize x kSize pixels, written at block `index`, cropped to the
// image; `nonzero` as InverseDct2x2's.
template <int kSize>
void TransformBlock(const CoefficientBlock& block, const QuantBlock& quant, std::uint64_t nonzero,
                    std::uint64_t index, std::uint64_t blocks_wide, DecodedImage& image) {
  std::array<std::uint8_t, kSize * kSize> pixels;
  if constexpr (kSize == 2) {
    InverseDct2x2(block, quant, nonzero, pixels);
  } else {
    InverseDct4x4(block, quant, nonzero, pixels);
  }
  const auto width = static_cast<std::uint64_t>(image.width), height = static_cast<std::uint64_t>(image.height);
  const std::uint64_t x0 = (index % blocks_wide) * kSize, y0 = (index / blocks_wide) * kSize;
  const std::uint64_t columns = std::min<std::uint64_t>(kSize, width - x0), rows = std::min<std::uint64_t>(kSize, height - y0);
  std::uint8_t* out = image.pixels.data() + y0 * width + x0;
  for (std::uint64_t dy = 0; dy < rows; ++dy, out += width) {
    if (columns == kSize) {
      std::memcpy(out, &pixels[dy * kSize], kSize);
    } else {
      std::memcpy(out, &pixels[dy * kSize], columns);
    }
  }
}

// Decodes a first-pass AC scan of luma (T.81 G.1.2.2, as libjpeg's decode_mcu_AC_first) and
// writes each block's kSize x kSize inverse DCT into the plane as soon as the block is read.
template <int kSize>
Status DecodeAcScan(std::span<const std::uint8_t> bytes, std::size_t pos, const JpegScan& scan, const LumaDc& luma,
                    DecodedImage& image) {
  const auto& spec = luma.header.ac_tables[scan.components[0].ac_table];
  if (!spec) return Malformed();
  const auto decoder = HuffmanDecoder::Build(*spec, /*dc_table=*/false);
  if (!decoder) return Malformed();

  EntropyReader reader(bytes, pos);
  CoefficientBlock block{};
  std::array<int, 64> written{};  // natural indices set in `block`, reset after each block
  int end_of_band_run = 0;
  bool out_of_band = false;
  const auto decode_block = [&](std::uint64_t index, bool restarted) {
    if (restarted) end_of_band_run = 0;
    int written_count = 0;
    if (end_of_band_run > 0) {
      --end_of_band_run;  // a band of zeroes
    } else {
      for (int k = scan.ss; k <= scan.se; ++k) {
        const int symbol = reader.DecodeSymbol(*decoder);
        if (symbol < 0) return false;
        const int run = symbol >> 4, magnitude_bits = symbol & 15;
        if (magnitude_bits != 0) {
          k += run;
          const int raw = reader.ReadBits(magnitude_bits);
          if (raw < 0) return false;
          // libjpeg writes a coefficient whose run ends past the band outside it; leave such data to libjpeg.
          if (k > scan.se) {
            out_of_band = true;
            return false;
          }
          const int natural = kNaturalOrder[k];
          if (ReadByInverseDct(kSize, natural)) {
            const int value = ExtendSign(raw, magnitude_bits);
            block[natural] = static_cast<std::int16_t>(static_cast<std::uint32_t>(value) << scan.al);
            written[written_count++] = natural;
          }
        } else if (run == 15) {
          k += 15;  // sixteen zeroes
        } else {
          const int extra = reader.ReadBits(run);
          if (extra < 0) return false;
          end_of_band_run = (1 << run) + extra - 1;  // this block ends the first band of the run
          break;
        }
      }
    }
    block[0] = luma.dc[index];
    std::uint64_t nonzero = 1;
    for (int n = 0; n < written_count; ++n) nonzero |= std::uint64_t{1} << written[n];
    TransformBlock<kSize>(block, luma.quant, nonzero, index, luma.blocks_wide, image);
    for (int n = 0; n < written_count; ++n) block[written[n]] = 0;
    return true;
  };
  // An AC scan codes one component: one block per MCU, exactly the component's blocks.
  if (!ForEachMcu(reader, luma.header.restart_interval, luma.blocks_wide * luma.blocks_high, decode_block)) {
    return out_of_band ? Malformed() : BadEntropyData(reader);
  }
  return Status::Ok();
}

// The kSize x kSize image of each block from DC alone: what libjpeg outputs when the image ends before any luma AC scan.
template <int kSize>
void TransformDcOnly(const LumaDc& luma, DecodedImage& image) {
  CoefficientBlock block{};
  for (std::uint64_t index = 0; index < luma.dc.size(); ++index) {
    block[0] = luma.dc[index];
    TransformBlock<kSize>(block, luma.quant, /*nonzero=*/1, index, luma.blocks_wide, image);
  }
}

}  // namespace

Result<DecodedImage> DecodeFirstScanLuma(std::span<const std::uint8_t> bytes, std::uint64_t max_pixels,
                                         HashingScratch* scratch) {
  HV_ASSIGN_OR_RETURN(LumaDc luma, ReadFirstScan(bytes, max_pixels, scratch));
  const DcBack dc_back{scratch, luma.dc};
  DecodedImage image = GrayPlane(luma.blocks_wide, luma.blocks_high, scratch);
  const int q0 = luma.quant[0];
  std::transform(luma.dc.begin(), luma.dc.end(), image.pixels.begin(),
                 [q0](std::int16_t dc) { return InverseDct1x1(dc, q0); });
  return image;
}

Result<DecodedImage> DecodeFirstAcScanLuma(std::span<const std::uint8_t> bytes, std::uint64_t max_pixels,
                                           int denominator, HashingScratch* scratch) {
  if (denominator != 2 && denominator != 4) return Status::InvalidInput("scale is not 1/2 or 1/4");
  HV_ASSIGN_OR_RETURN(LumaDc luma, ReadFirstScan(bytes, max_pixels, scratch));
  const DcBack dc_back{scratch, luma.dc};
  const auto unsigned_denominator = static_cast<std::uint64_t>(denominator);
  DecodedImage image =
      GrayPlane(CeilDiv(luma.width, unsigned_denominator), CeilDiv(luma.height, unsigned_denominator), scratch);
  std::size_t pos = luma.scan_end;
  for (;;) {
    HV_ASSIGN_OR_RETURN(const NextScan next, ReadMarkersToScan(bytes, pos, max_pixels, luma.header));
    if (!next.scan) {
      if (denominator == 2) TransformDcOnly<4>(luma, image);
      else TransformDcOnly<2>(luma, image);
      return image;
    }
    const JpegScan& scan = *next.scan;
    const bool has_luma = std::any_of(scan.components.begin(), scan.components.end(),
                                      [](const JpegScanComponent& c) { return c.index == 0; });
    if (!has_luma) {
      pos = EndOfEntropyData(bytes, next.data);  // another component's scan: not read
      continue;
    }
    if (scan.ss != 1 || scan.ah != 0 || scan.se < kLowestDiagonal) {
      return Status::Unsupported("JPEG's early luma scans are not in an order this reader takes");
    }
    HV_RETURN_IF_ERROR(denominator == 2 ? DecodeAcScan<4>(bytes, next.data, scan, luma, image)
                                        : DecodeAcScan<2>(bytes, next.data, scan, luma, image));
    return image;
  }
}

}  // namespace hashveil::matcher
