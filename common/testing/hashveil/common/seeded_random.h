// A seeded random source for tests and reproducible audits. In-tree only: this header is not
// installed, so no app can reach it by accident.
#pragma once

#include <cstdint>
#include <memory>

#include "hashveil/common/random.h"

namespace hashveil {

// Deterministic stream from a seed (ChaCha20 keyed by the seed). For tests and reproducible
// audits only: never for keys, nonces or blinding factors in production.
std::unique_ptr<RandomSource> MakeSeededRandomForTesting(std::uint64_t seed);

}  // namespace hashveil
