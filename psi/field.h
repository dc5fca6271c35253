// Arithmetic in F_p, p = 2^64 - 59 (the detectable hash function's field). Private to psi/.
#pragma once

#include <cstdint>

#include "hashveil/psi/detectable_hash.h"

namespace hashveil::psi::field {

__extension__ typedef unsigned __int128 Wide;  // __extension__: keeps -Wpedantic quiet

inline FieldElement Add(FieldElement a, FieldElement b) {
  const FieldElement sum = a + b;  // may wrap: then the true sum is sum + 2^64 = sum + 59 mod p
  return (sum < a || sum >= kFieldPrime) ? sum - kFieldPrime : sum;
}

inline FieldElement Sub(FieldElement a, FieldElement b) {
  return a >= b ? a - b : a - b + kFieldPrime;  // wraps to the right value mod 2^64
}

inline FieldElement Mul(FieldElement a, FieldElement b) {
  return static_cast<FieldElement>(static_cast<Wide>(a) * b % kFieldPrime);
}

inline FieldElement Negate(FieldElement a) { return a == 0 ? 0 : kFieldPrime - a; }

// a^(p-2) = a^-1 for a != 0 (Fermat); 0 for 0.
inline FieldElement Invert(FieldElement a) {
  FieldElement result = 1;
  FieldElement base = a;
  for (std::uint64_t e = kFieldPrime - 2; e != 0; e >>= 1) {
    if (e & 1) result = Mul(result, base);
    base = Mul(base, base);
  }
  return result;
}

// 128 uniformly random bits reduced mod p: bias below 2^-64.
inline FieldElement FromWideBits(std::uint64_t low, std::uint64_t high) {
  return static_cast<FieldElement>(((static_cast<Wide>(high) << 64) | low) % kFieldPrime);
}

}  // namespace hashveil::psi::field
