// The image identity of the voucher protocol, for tests that send copies of one photo.
#pragma once

#include <string>

#include "hashveil/matcher/match_keys.h"
#include "hashveil/matcher/pdq_hash.h"

namespace hashveil::testing {

// Whether two PDQ hashes (hex, as `hashveil hash` prints them) have the same base key under the
// default key scheme of `hashveil db build`. The device derives an image's share from its base
// key (docs/design.md section 5), so two copies of one photo count as one image exactly when
// this holds; a re-encode can flip one of the key's bits and then counts as a second image
// until the "protocol v2" issue makes every copy count once.
inline bool SameBaseKey(const std::string& hex_a, const std::string& hex_b) {
  const auto a = matcher::PdqHash::FromHex(hex_a);
  const auto b = matcher::PdqHash::FromHex(hex_b);
  if (!a.ok() || !b.ok()) return false;
  const matcher::KeyScheme scheme;  // DbBuildOptions' default
  return matcher::BaseKeys(*a, scheme).front() == matcher::BaseKeys(*b, scheme).front();
}

}  // namespace hashveil::testing
