// Test PNGs in every layout libpng writes (OpenCV's encoder writes only a few): any colour type
// and bit depth, a palette with or without tRNS, grey or RGB with tRNS, gAMA and text chunks,
// Adam7 interlacing. The pixels are a pseudo-random pattern over the whole sample range.
#pragma once

#include <png.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace hashveil::testing {

struct PngLayout {
  int colour_type = PNG_COLOR_TYPE_RGB;
  int bit_depth = 8;
  bool interlaced = false;
  bool transparency = false;    // a tRNS chunk (palette: per-entry alpha; grey, RGB: one colour)
  bool gamma_and_text = false;  // gAMA, tEXt and zTXt chunks, which must not change the pixels

  std::string Name() const {
    return "type" + std::to_string(colour_type) + "-" + std::to_string(bit_depth) + "bit" +
           (interlaced ? "-adam7" : "") + (transparency ? "-trns" : "") +
           (gamma_and_text ? "-gama" : "");
  }
};

// Every layout the PNG specification allows, each plain, interlaced, and (where allowed) with tRNS.
inline std::vector<PngLayout> AllPngLayouts() {
  struct Type {
    int colour_type;
    std::vector<int> depths;
    bool transparency;
  };
  const Type types[] = {{PNG_COLOR_TYPE_GRAY, {1, 2, 4, 8, 16}, true},
                        {PNG_COLOR_TYPE_GRAY_ALPHA, {8, 16}, false},
                        {PNG_COLOR_TYPE_RGB, {8, 16}, true},
                        {PNG_COLOR_TYPE_RGB_ALPHA, {8, 16}, false},
                        {PNG_COLOR_TYPE_PALETTE, {1, 2, 4, 8}, true}};
  std::vector<PngLayout> layouts;
  for (const Type& type : types) {
    for (const int depth : type.depths) {
      for (const bool interlaced : {false, true}) {
        for (const bool transparency : {false, true}) {
          if (transparency && !type.transparency) continue;
          layouts.push_back({type.colour_type, depth, interlaced, transparency, transparency});
        }
      }
    }
  }
  return layouts;
}

namespace png_writer_internal {

inline void Append(png_structp png, png_bytep data, std::size_t length) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}
[[noreturn]] inline void Abort(png_structp, png_const_charp message) {
  std::fprintf(stderr, "test PNG writer: %s\n", message);
  std::abort();
}

inline int Channels(int colour_type) {
  switch (colour_type) {
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1;
  }
}

}  // namespace png_writer_internal

// A width x height PNG in `layout`, its samples drawn from `seed`. Aborts on a libpng error (a
// bug in the test).
inline std::vector<std::uint8_t> WriteTestPng(const PngLayout& layout, int width, int height,
                                              unsigned seed = 1) {
  using namespace png_writer_internal;
  std::vector<std::uint8_t> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, Abort, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(png, &out, Append, nullptr);
  png_set_IHDR(png, info, width, height, layout.bit_depth, layout.colour_type,
               layout.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::mt19937 random(seed);
  const int max_sample = (1 << layout.bit_depth) - 1;
  std::vector<png_color> palette(static_cast<std::size_t>(max_sample) + 1);
  std::vector<png_byte> palette_alpha(palette.size());
  if (layout.colour_type == PNG_COLOR_TYPE_PALETTE) {
    for (std::size_t i = 0; i < palette.size(); ++i) {
      palette[i] = {static_cast<png_byte>(random()), static_cast<png_byte>(random()),
                    static_cast<png_byte>(random())};
      palette_alpha[i] = static_cast<png_byte>(i == 0 ? 0 : random());
    }
    png_set_PLTE(png, info, palette.data(), static_cast<int>(palette.size()));
  }
  // A colour that occurs in the image (the first pixel), made transparent.
  png_color_16 transparent{};
  const int channels = Channels(layout.colour_type);
  std::vector<std::vector<png_byte>> rows(static_cast<std::size_t>(height));
  for (auto& row : rows) {
    for (int i = 0; i < width * channels; ++i) {
      const int sample = static_cast<int>(random() % (static_cast<unsigned>(max_sample) + 1));
      if (layout.bit_depth == 16) row.push_back(static_cast<png_byte>(sample >> 8));
      row.push_back(static_cast<png_byte>(sample & 0xFF));
    }
  }
  if (layout.transparency) {
    const auto first = [&](int c) {
      const std::vector<png_byte>& row = rows[0];
      return layout.bit_depth == 16 ? (row[2 * c] << 8) | row[2 * c + 1] : row[c];
    };
    if (layout.colour_type == PNG_COLOR_TYPE_PALETTE) {
      png_set_tRNS(png, info, palette_alpha.data(), static_cast<int>(palette_alpha.size()),
                   nullptr);
    } else if (layout.colour_type == PNG_COLOR_TYPE_GRAY) {
      transparent.gray = static_cast<png_uint_16>(first(0));
      png_set_tRNS(png, info, nullptr, 0, &transparent);
    } else {
      transparent.red = static_cast<png_uint_16>(first(0));
      transparent.green = static_cast<png_uint_16>(first(1));
      transparent.blue = static_cast<png_uint_16>(first(2));
      png_set_tRNS(png, info, nullptr, 0, &transparent);
    }
  }
  if (layout.gamma_and_text) {
    png_set_gAMA(png, info, 1 / 2.2);
    char key[] = "Comment", plain[] = "plain text", compressed[] = "compressed text";
    png_text text[2] = {};
    text[0] = {PNG_TEXT_COMPRESSION_NONE, key, plain, sizeof(plain) - 1};
    text[1] = {PNG_TEXT_COMPRESSION_zTXt, key, compressed, sizeof(compressed) - 1};
    png_set_text(png, info, text, 2);
  }
  png_write_info(png, info);
  if (layout.bit_depth < 8) png_set_packing(png);  // rows hold one sample per byte
  std::vector<png_bytep> row_pointers;
  for (auto& row : rows) row_pointers.push_back(row.data());
  png_write_image(png, row_pointers.data());
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return out;
}

}  // namespace hashveil::testing
