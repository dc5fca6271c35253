#include "audit/parameter_set.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <map>

namespace hashveil::audit {
namespace {

constexpr std::uint32_t kOtherDihedrals = matcher::kDihedralCount - 1;

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

Result<std::vector<std::uint32_t>> ParseValues(std::string_view axis, std::string_view list) {
  std::vector<std::uint32_t> values;
  for (std::string_view item : Split(list, ',')) {
    std::uint32_t value = 0;
    const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (error != std::errc() || end != item.data() + item.size() || item.empty()) {
      return Status::InvalidInput("grid: axis " + std::string(axis) + " has a value that is not " +
                                  "a non-negative integer");
    }
    values.push_back(value);
  }
  return values;
}

}  // namespace

Status MatchingScheme::Validate() const {
  HV_RETURN_IF_ERROR(keys.Validate());
  if (dihedral_probes && keys.probes < (kOtherDihedrals + 1) * keys.tables) {
    return Status::InvalidInput("dihedral probes need P >= 8*L");
  }
  return Status::Ok();
}

std::string Name(const MatchingScheme& scheme) {
  return "L" + std::to_string(scheme.keys.tables) + "-k" +
         std::to_string(scheme.keys.bits_per_key) + "-P" + std::to_string(scheme.keys.probes) +
         "-d" + (scheme.dihedral_probes ? "1" : "0") + "-r" + std::to_string(scheme.keys.revision);
}

std::string Name(const ParameterSet& set) { return Name(set.matching); }

Result<std::vector<ParameterSet>> ParseGrid(std::string_view spec) {
  std::map<std::string, std::vector<std::uint32_t>, std::less<>> axes;
  for (std::string_view part : Split(spec, ';')) {
    const std::size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      return Status::InvalidInput("grid: each axis is written NAME=V1,V2,...");
    }
    const std::string_view axis = part.substr(0, equals);
    if (axis == "c") {
      return Status::InvalidInput(
          "grid: c (cuckoo functions) is no longer used: DB format 3 has one table of 3-cell "
          "entries");
    }
    if (axis != "L" && axis != "k" && axis != "P" && axis != "d" && axis != "r") {
      return Status::InvalidInput("grid: unknown axis (expected L, k, P, d, r)");
    }
    HV_ASSIGN_OR_RETURN(auto values, ParseValues(axis, part.substr(equals + 1)));
    axes[std::string(axis)] = std::move(values);
  }
  for (const char* axis : {"L", "k", "P", "d"}) {
    if (!axes.contains(axis)) return Status::InvalidInput(std::string("grid: axis ") + axis + " missing");
  }
  // A value out of its own range is refused, so that no set the auditor asked for is silently
  // left out; only combinations that are invalid together (P < L, dihedral probes that do not
  // fit in P) are skipped.
  for (std::uint32_t tables : axes["L"]) {
    if (tables < 1 || tables > matcher::KeyScheme::kMaxTables) {
      return Status::InvalidInput("grid: L (tables) is 1..64");
    }
  }
  for (std::uint32_t bits : axes["k"]) {
    if (bits < 8 || bits > 256 || bits % 8 != 0) {
      return Status::InvalidInput("grid: k (bits per key) is a multiple of 8 in 8..256");
    }
  }
  for (std::uint32_t probes : axes["P"]) {
    if (probes < 1 || probes > matcher::KeyScheme::kMaxProbes) {
      return Status::InvalidInput("grid: P (probes) is 1..4096");
    }
  }
  for (std::uint32_t d : axes["d"]) {
    if (d > 1) return Status::InvalidInput("grid: d (dihedral probes) is 0 or 1");
  }
  // The revision axis came later; a grid without it measures the latest rules.
  if (!axes.contains("r")) axes["r"] = {matcher::KeyScheme::kLatestRevision};
  for (std::uint32_t r : axes["r"]) {
    if (r < matcher::KeyScheme::kFirstRevision || r > matcher::KeyScheme::kLatestRevision) {
      return Status::InvalidInput("grid: r (key scheme revision) is 1 or 2");
    }
  }
  std::vector<ParameterSet> sets;
  for (std::uint32_t tables : axes["L"]) {
    for (std::uint32_t bits : axes["k"]) {
      for (std::uint32_t probes : axes["P"]) {
        for (std::uint32_t dihedral : axes["d"]) {
          for (std::uint32_t revision : axes["r"]) {
            ParameterSet set{
                {{.tables = tables, .bits_per_key = bits, .probes = probes, .revision = revision},
                 dihedral == 1}};
            if (!set.matching.Validate().ok()) continue;
            if (std::find(sets.begin(), sets.end(), set) == sets.end()) sets.push_back(set);
          }
        }
      }
    }
  }
  if (sets.empty()) return Status::InvalidInput("grid: no valid parameter set");
  return sets;
}

std::vector<matcher::MatchKey> DeviceProbes(const matcher::PdqResult& image,
                                            const MatchingScheme& scheme) {
  matcher::KeyScheme own = scheme.keys;
  if (scheme.dihedral_probes) own.probes -= kOtherDihedrals * own.tables;
  Result<std::vector<matcher::MatchKey>> own_probes = matcher::DeviceProbeKeys(image, own);
  assert(own_probes.ok());  // the preconditions: a valid scheme, variants hashed
  std::vector<matcher::MatchKey> probes = std::move(own_probes).value();
  if (!scheme.dihedral_probes) return probes;
  for (int variant = 1; variant < matcher::kDihedralCount; ++variant) {
    for (const matcher::MatchKey& key : matcher::BaseKeys((*image.dihedral)[variant], own)) {
      if (std::find(probes.begin(), probes.end(), key) == probes.end()) probes.push_back(key);
    }
  }
  return probes;
}

bool AnyProbeMatches(const std::vector<matcher::MatchKey>& probes,
                     const std::vector<matcher::MatchKey>& base_keys) {
  for (const matcher::MatchKey& probe : probes) {
    if (std::find(base_keys.begin(), base_keys.end(), probe) != base_keys.end()) return true;
  }
  return false;
}

}  // namespace hashveil::audit
