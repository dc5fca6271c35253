#include "png_encoder.h"

#include <png.h>

namespace hashveil::matcher {

Result<std::vector<std::uint8_t>> EncodeGreyPng(const std::uint8_t* pixels, int width, int height) {
  if (pixels == nullptr || width <= 0 || height <= 0) {
    return Status::InvalidInput("grey image to encode is empty");
  }
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = PNG_FORMAT_GRAY;
  // libpng's bound on the encoded size, so that one compression pass fills the buffer.
  std::vector<std::uint8_t> png(PNG_IMAGE_PNG_SIZE_MAX(image));
  png_alloc_size_t size = png.size();
  if (!png_image_write_to_memory(&image, png.data(), &size, /*convert_to_8bit=*/0, pixels,
                                 /*row_stride=*/width, /*colormap=*/nullptr)) {
    return Status::Internal("PNG encoding failed");
  }
  png.resize(size);
  return png;
}

}  // namespace hashveil::matcher
