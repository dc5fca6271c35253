#include "hashveil/psi/group.h"

#include <sodium.h>

#include <cstring>

namespace hashveil::psi {
static_assert(kPointBytes == crypto_core_ristretto255_BYTES);
static_assert(kScalarBytes == crypto_core_ristretto255_SCALARBYTES);
static_assert(crypto_core_ristretto255_HASHBYTES == 64);

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

bool IsValidPoint(const Point& point) {
  // libsodium accepts the identity's canonical encoding (all zeros); the protocol does not.
  return crypto_core_ristretto255_is_valid_point(point.bytes.data()) == 1 &&
         sodium_is_zero(point.bytes.data(), kPointBytes) == 0;
}

Point HashToGroup(std::string_view domain, std::span<const std::uint8_t> message) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_core_ristretto255_HASHBYTES);
  const std::uint8_t domain_length = static_cast<std::uint8_t>(domain.size());
  crypto_generichash_update(&state, &domain_length, 1);
  crypto_generichash_update(&state, reinterpret_cast<const std::uint8_t*>(domain.data()),
                            domain.size());
  crypto_generichash_update(&state, message.data(), message.size());
  std::array<std::uint8_t, crypto_core_ristretto255_HASHBYTES> digest{};
  crypto_generichash_final(&state, digest.data(), digest.size());
  Point point;
  crypto_core_ristretto255_from_hash(point.bytes.data(), digest.data());
  return point;
}

Point MulBase(const Scalar& scalar) {
  Point point;
  // Fails only for a zero scalar; the identity (all zeros) is then left in `point`.
  (void)crypto_scalarmult_ristretto255_base(point.bytes.data(), scalar.bytes().data());
  return point;
}

Result<Point> Mul(const Scalar& scalar, const Point& point) {
  Point out;
  if (crypto_scalarmult_ristretto255(out.bytes.data(), scalar.bytes().data(),
                                     point.bytes.data()) != 0) {
    return Status::InvalidInput("scalar multiplication of an invalid point or to the identity");
  }
  return out;
}

Result<Point> Add(const Point& a, const Point& b) {
  Point out;
  if (crypto_core_ristretto255_add(out.bytes.data(), a.bytes.data(), b.bytes.data()) != 0) {
    return Status::InvalidInput("point addition with an invalid point");
  }
  return out;
}

Result<Point> Sub(const Point& a, const Point& b) {
  Point out;
  if (crypto_core_ristretto255_sub(out.bytes.data(), a.bytes.data(), b.bytes.data()) != 0) {
    return Status::InvalidInput("point subtraction with an invalid point");
  }
  return out;
}

}  // namespace hashveil::psi
