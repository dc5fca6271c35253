// PNG encoding of 8-bit grey pixels with libpng's simplified write API (no OpenCV on the device).
#pragma once

#include <cstdint>
#include <vector>

#include "hashveil/common/status.h"

namespace hashveil::matcher {

// `pixels` holds height rows of width bytes, tightly packed.
// Errors: kInvalidInput (no pixels, or a side <= 0), kInternal (libpng failed).
Result<std::vector<std::uint8_t>> EncodeGreyPng(const std::uint8_t* pixels, int width, int height);

}  // namespace hashveil::matcher
