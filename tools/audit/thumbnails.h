// Thumbnails of corpus photos for the audit page, so an auditor sees the photos of each
// distinct-photo key match side by side.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hashveil/common/status.h"

namespace hashveil::audit {

inline constexpr int kThumbnailSide = 96;

// The image file decoded (OpenCV), scaled down (area filter) so its longer side is at most
// kThumbnailSide px, and encoded as a "data:image/jpeg;base64,..." URI.
// Errors: kIoError (unreadable), kInvalidInput (not a decodable image).
Result<std::string> ThumbnailDataUri(const std::filesystem::path& file);

// Standard base64 with padding.
std::string Base64(const std::vector<std::uint8_t>& bytes);

}  // namespace hashveil::audit
