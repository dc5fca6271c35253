// Hostile-image tests run in both decode modes: the fast path and the reference one take
// different routes through libjpeg-turbo.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "hashveil/matcher/pdq_hasher.h"

namespace hashveil::hostile {

inline const auto kBothDecodeModes =
    ::testing::Values(matcher::DecodeMode::kFast, matcher::DecodeMode::kReference);

inline std::string DecodeModeName(const ::testing::TestParamInfo<matcher::DecodeMode>& info) {
  return info.param == matcher::DecodeMode::kFast ? "Fast" : "Reference";
}

}  // namespace hashveil::hostile
