// The parameter sets the audit compares (docs/design.md sections 4, 5 and 8): the key scheme (L, k,
// P) and whether the device spends part of its probe budget on dihedral variants. DB format 3 has
// one outer entry per probe and one kind of table, so nothing else changes recall or cost.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/matcher/device_probes.h"
#include "hashveil/matcher/match_keys.h"
#include "hashveil/matcher/pdq_hasher.h"

namespace hashveil::audit {

// How the device derives its P probe keys. With dihedral probes, 7*L of them are the base keys
// of the 7 other dihedral hashes (rotations and flips of the image), so a rotated or mirrored
// copy of a listed image can still match; the other P - 7*L are the margin-ordered ProbeKeys of
// the image itself. That variant is a candidate the audit measures: the shipped matcher emits
// ProbeKeys only.
struct MatchingScheme {
  matcher::KeyScheme keys;
  bool dihedral_probes = false;

  // kInvalidInput when the key scheme is, or when dihedral probes leave fewer than L probes.
  Status Validate() const;
  friend bool operator==(const MatchingScheme&, const MatchingScheme&) = default;
};

struct ParameterSet {
  MatchingScheme matching;
  friend bool operator==(const ParameterSet&, const ParameterSet&) = default;
};

// "L1-k64-P16-d0-r2" (d1: dihedral probes; r: the key scheme's revision). Unique within a grid.
std::string Name(const MatchingScheme& scheme);
std::string Name(const ParameterSet& set);

// Every valid combination of the listed values, in lexicographic order of (L, k, P, d, r);
// invalid combinations (P < L, or dihedral probes that do not fit in P) are skipped.
// A grid spec is "L=1,2;k=32,48,64;P=8,16,32,64;d=0,1;r=1,2" (any order; every axis present but
// r, which defaults to the latest revision).
// Errors: kInvalidInput naming the malformed axis, or an axis with a value outside its own range
// (L 1..64, k a multiple of 8 in 8..256, P 1..4096, d 0..1, r 1..2); a "c" axis (the cuckoo
// functions of DB formats 1 and 2) is refused as no longer used.
Result<std::vector<ParameterSet>> ParseGrid(std::string_view spec);

// The grid the default parameters were chosen from (docs/parameters.md).
inline constexpr std::string_view kDefaultGrid = "L=1,2;k=32,48,64,96,128;P=8,16,32,64;d=0,1";

// The device's probe keys for `image` under `scheme` (distinct; fewer than P only when dihedral
// variants coincide, which the protocol pads with dummies). Needs image.dihedral when
// scheme.dihedral_probes, and image.variants under revision 2. Precondition:
// scheme.Validate().ok().
std::vector<matcher::MatchKey> DeviceProbes(const matcher::PdqResult& image,
                                            const MatchingScheme& scheme);

// Whether any probe equals any base key: exactly what the PSI computes for one DB entry.
bool AnyProbeMatches(const std::vector<matcher::MatchKey>& probes,
                     const std::vector<matcher::MatchKey>& base_keys);

}  // namespace hashveil::audit
