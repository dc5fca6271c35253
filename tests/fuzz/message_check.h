// Checks that an error message cannot leak what it must never contain (common rules: no hashes,
// keys or user paths in messages). Shared by the fuzz targets and the hostile-input tests.
#pragma once

#include <cctype>
#include <cstddef>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "hashveil/common/status.h"

namespace hashveil::fuzz {

// The longest run of hex digits in `text`. PDQ hashes print as 64 hex digits and keys as 64 or
// more, so a run of 32 or more (kLeakingHexRun) in a message is taken as a leak.
inline constexpr std::size_t kLeakingHexRun = 32;

inline std::size_t LongestHexRun(std::string_view text) {
  std::size_t longest = 0;
  std::size_t run = 0;
  for (const char c : text) {
    run = std::isxdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

// True when `message` holds a hex run of kLeakingHexRun digits or more, or contains `path`
// (when not empty).
inline bool MessageLeaks(std::string_view message, std::string_view path = {}) {
  if (LongestHexRun(message) >= kLeakingHexRun) return true;
  return !path.empty() && message.find(path) != std::string_view::npos;
}

// A fuzz target's check of a refusal: a reason is given, and it leaks nothing.
inline void CheckRefusal(const Status& status, std::string_view path = {}) {
  HV_FUZZ_CHECK(!status.message().empty());
  HV_FUZZ_CHECK(!MessageLeaks(status.message(), path));
}

}  // namespace hashveil::fuzz
