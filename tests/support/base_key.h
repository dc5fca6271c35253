// The identity of the voucher protocol, for tests that send copies of one photo.
#pragma once

#include <filesystem>
#include <string>

#include "hashveil/matcher/device_probes.h"
#include "hashveil/matcher/match_keys.h"
#include "hashveil/matcher/pdq_hash.h"
#include "hashveil/matcher/pdq_hasher.h"

namespace hashveil::testing {

// How a copy of a photo relates to the photo's DB key (its base key under the default key scheme
// of `hashveil db build`), as the device sees the copy (the fast decode `hashveil scan` uses).
struct CopyKeys {
  bool same_base_key = false;  // the copy's own base key is the photo's
  bool reaches = false;        // one of the copy's P probe keys is the photo's base key
};

// `original_hex` as `hashveil hash` prints it; `copy` an image file. A copy that reaches the key
// opens its entry and, under protocol 2, counts as the same image whether or not its own base
// key is the photo's (docs/protocol.md 4.1); under protocol 1 only a copy with the same base key
// did.
inline CopyKeys KeysOfCopy(const std::string& original_hex, const std::filesystem::path& copy) {
  const auto original = matcher::PdqHash::FromHex(original_hex);
  const auto hashed = matcher::HashImageFile(copy, {.variants = true});
  if (!original.ok() || !hashed.ok()) return {};
  const matcher::KeyScheme scheme;  // DbBuildOptions' default
  const matcher::MatchKey key = matcher::BaseKeys(*original, scheme).front();
  CopyKeys keys;
  keys.same_base_key = matcher::BaseKeys(hashed->hash, scheme).front() == key;
  const auto probes = matcher::DeviceProbeKeys(*hashed, scheme);
  if (!probes.ok()) return {};
  for (const auto& probe : *probes) keys.reaches = keys.reaches || probe == key;
  return keys;
}

}  // namespace hashveil::testing
