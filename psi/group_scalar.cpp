// Scalars on libsodium: the byte format libdecaf reads too (32 bytes little-endian, reduced).
#include "hashveil/psi/group.h"

#include <sodium.h>

#include <cstring>

namespace hashveil::psi {
static_assert(kScalarBytes == crypto_core_ristretto255_SCALARBYTES);

Scalar Scalar::Random(RandomSource& random) {
  SecretArray<64> wide;
  random.Fill(wide.span());
  return FromWideBytes(wide.span());
}

Scalar Scalar::FromWideBytes(std::span<const std::uint8_t, 64> wide) {
  Scalar s;
  crypto_core_ristretto255_scalar_reduce(s.value_.data(), wide.data());
  return s;
}

Result<Scalar> Scalar::FromCanonicalBytes(std::span<const std::uint8_t, kScalarBytes> bytes) {
  // Canonical iff reducing the zero-extended value changes nothing.
  SecretArray<64> wide;
  std::memcpy(wide.data(), bytes.data(), kScalarBytes);
  Scalar s = FromWideBytes(wide.span());
  if (sodium_memcmp(s.value_.data(), bytes.data(), kScalarBytes) != 0) {
    return Status::InvalidInput("scalar is not canonical");
  }
  return s;
}

Scalar Scalar::FromUint64(std::uint64_t value) {
  Scalar s;
  for (int i = 0; i < 8; ++i) s.value_.data()[i] = static_cast<std::uint8_t>(value >> (8 * i));
  return s;
}

Scalar Scalar::Clone() const {
  Scalar s;
  s.value_ = value_.Clone();
  return s;
}

bool Scalar::IsZero() const { return sodium_is_zero(value_.data(), kScalarBytes) == 1; }

Scalar operator+(const Scalar& a, const Scalar& b) {
  Scalar s;
  crypto_core_ristretto255_scalar_add(s.value_.data(), a.value_.data(), b.value_.data());
  return s;
}

Scalar operator-(const Scalar& a, const Scalar& b) {
  Scalar s;
  crypto_core_ristretto255_scalar_sub(s.value_.data(), a.value_.data(), b.value_.data());
  return s;
}

Scalar operator*(const Scalar& a, const Scalar& b) {
  Scalar s;
  crypto_core_ristretto255_scalar_mul(s.value_.data(), a.value_.data(), b.value_.data());
  return s;
}

Scalar Scalar::Negate() const {
  Scalar s;
  crypto_core_ristretto255_scalar_negate(s.value_.data(), value_.data());
  return s;
}

Result<Scalar> Scalar::Invert() const {
  Scalar s;
  if (crypto_core_ristretto255_scalar_invert(s.value_.data(), value_.data()) != 0) {
    return Status::InvalidInput("zero scalar has no inverse");
  }
  return s;
}

bool Scalar::Equals(const Scalar& other) const {
  return sodium_memcmp(value_.data(), other.value_.data(), kScalarBytes) == 0;
}

}  // namespace hashveil::psi
