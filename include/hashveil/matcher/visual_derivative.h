// The small grey visual derivative a voucher's payload carries (docs/design.md section 5): enough
// for a human reviewer to confirm a verified match, too small to be the image. Made on the device,
// seen by the server only after an account crossed the threshold.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hashveil/common/secret.h"
#include "hashveil/common/status.h"
#include "hashveil/matcher/image_view.h"

namespace hashveil::matcher {

// The derivative is kVisualDerivativeSide x kVisualDerivativeSide 8-bit grey pixels, row-major:
// the image scaled (area averaging) so its longer side fills the square, centred, the rest
// black. Fixed size so that every voucher has the same length.
inline constexpr int kVisualDerivativeSide = 32;
inline constexpr std::size_t kVisualDerivativeBytes =
    static_cast<std::size_t>(kVisualDerivativeSide) * kVisualDerivativeSide;

// A user's image, however small: wiped on destruction.
struct VisualDerivative {
  SecretArray<kVisualDerivativeBytes> pixels;
};

// From decoded pixels (alpha is ignored). kInvalidInput for a null, empty or badly strided view.
Result<VisualDerivative> MakeVisualDerivative(const ImageView& image);

// From encoded bytes: see HashAndDeriveEncodedImage (pdq_hasher.h), which derives it from the
// pixels decoded for the hash.

// The derivative as a PNG file's bytes, for the reviewer. kInternal if the encoder fails.
Result<std::vector<std::uint8_t>> EncodeVisualDerivativePng(const VisualDerivative& derivative);

}  // namespace hashveil::matcher
