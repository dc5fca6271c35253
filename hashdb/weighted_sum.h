// sum_i z_i * P_i over many points with public weights, for the auditor proof's batched DLEQ.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>

#include "hashveil/common/status.h"
#include "hashveil/psi/group.h"

namespace hashveil::hashdb {

using PublicWeight = std::array<std::uint8_t, psi::kScalarBytes>;  // a reduced scalar's bytes

// Fills term i's weight and its point for each of the sums (points.size() == sums.size()).
using WeightedTerm = std::function<Status(std::uint64_t index, PublicWeight& weight,
                                          std::span<psi::Element> points)>;

// sums[s] = sum over i < count of weight_i * point_i[s]. Each chunk of terms is one bucket
// (Pippenger) multi-scalar multiplication, about 48 point additions (~10 us) per term and sum
// instead of a scalar multiplication (~75 us). Variable time: for public weights only.
// `threads` (0: all) share the chunks; the first error of `term` is returned.
Status WeightedSums(std::uint64_t count, const WeightedTerm& term, std::span<psi::Element> sums,
                    unsigned threads,
                    const std::function<void(std::uint64_t, std::uint64_t)>& progress);

}  // namespace hashveil::hashdb
