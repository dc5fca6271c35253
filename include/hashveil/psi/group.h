// The prime-order group ristretto255 and its scalar field, behind a small interface so that no
// caller includes sodium.h. Points are public values; scalars may be secrets and wipe themselves.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "hashveil/common/random.h"
#include "hashveil/common/secret.h"
#include "hashveil/common/status.h"

namespace hashveil::psi {

inline constexpr std::size_t kPointBytes = 32;
inline constexpr std::size_t kScalarBytes = 32;

// A canonical ristretto255 encoding. Not necessarily valid: check with IsValidPoint before use
// when it came from outside (a file, a voucher).
struct Point {
  std::array<std::uint8_t, kPointBytes> bytes{};
  friend bool operator==(const Point&, const Point&) = default;
  friend auto operator<=>(const Point&, const Point&) = default;
};

// An element of Z/lZ (l the group order), little-endian, always reduced. Move-only and wiped.
class Scalar {
 public:
  Scalar() = default;  // zero
  static Scalar Random(RandomSource& random);
  // Reduces 64 uniformly random bytes mod l (crypto_core_ristretto255_scalar_reduce).
  static Scalar FromWideBytes(std::span<const std::uint8_t, 64> wide);
  // kInvalidInput unless `bytes` is a canonical (reduced) scalar.
  static Result<Scalar> FromCanonicalBytes(std::span<const std::uint8_t, kScalarBytes> bytes);
  static Scalar FromUint64(std::uint64_t value);

  Scalar Clone() const;
  bool IsZero() const;
  std::span<const std::uint8_t, kScalarBytes> bytes() const { return value_.span(); }

  friend Scalar operator+(const Scalar& a, const Scalar& b);
  friend Scalar operator-(const Scalar& a, const Scalar& b);
  friend Scalar operator*(const Scalar& a, const Scalar& b);
  Scalar Negate() const;
  // kInvalidInput for zero.
  Result<Scalar> Invert() const;
  // Constant time.
  bool Equals(const Scalar& other) const;

 private:
  SecretArray<kScalarBytes> value_;
};

// Valid canonical encoding and not the identity.
bool IsValidPoint(const Point& point);

// H(message) = from_hash(BLAKE2b-512(len(domain) || domain || message)): a point whose discrete
// log nobody knows. `domain` separates uses (match keys, fillers, proofs).
Point HashToGroup(std::string_view domain, std::span<const std::uint8_t> message);

// scalar * G.
Point MulBase(const Scalar& scalar);
// scalar * point. kInvalidInput if the point is invalid or the product is the identity.
Result<Point> Mul(const Scalar& scalar, const Point& point);
// a + b. kInvalidInput if either is invalid.
Result<Point> Add(const Point& a, const Point& b);
// a - b. kInvalidInput if either is invalid.
Result<Point> Sub(const Point& a, const Point& b);

}  // namespace hashveil::psi
