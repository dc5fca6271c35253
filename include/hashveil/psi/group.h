// The prime-order group ristretto255 and its scalar field, behind a small interface so that no
// caller includes libdecaf's or libsodium's headers. Points are public values; scalars may be
// secrets and wipe themselves.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
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

// An unencoded ristretto255 element (libdecaf's internal form), for chains of additions and
// multiplications without re-encoding. Public values only: not wiped.
class Element {
 public:
  Element();  // the identity
  // User-provided, so that an Element passes by reference under the x86-64 ABI rather than as a
  // 32-byte-aligned stack argument (for which GCC prints an ABI note at every use).
  Element(const Element& other) noexcept : storage_(other.storage_) {}
  Element& operator=(const Element& other) = default;
  // kInvalidInput unless `point` is a valid canonical encoding and not the identity.
  static Result<Element> Decode(const Point& point);
  static Element Identity();
  static Element Generator();
  // The element HashToGroup(domain, message) encodes.
  static Element FromHash(std::string_view domain, std::span<const std::uint8_t> message);

  Point Encode() const;
  bool IsIdentity() const;

  Element& operator+=(const Element& other);
  Element& operator-=(const Element& other);
  friend Element operator+(Element a, const Element& b) { return a += b; }
  friend Element operator-(Element a, const Element& b) { return a -= b; }
  // Group equality, whatever the internal coordinates.
  friend bool operator==(const Element& a, const Element& b);

  // scalar * this, constant time.
  Element Mul(const Scalar& scalar) const;
  // scalar * G, from libdecaf's precomputed table of the generator.
  static Element MulBase(const Scalar& scalar);
  // a*p + b*q, constant time.
  static Element DoubleMul(const Scalar& a, const Element& p, const Scalar& b, const Element& q);

 private:
  friend class PrecomputedElement;
  // libdecaf's decaf_255_point_t: four field elements of 64 bytes (checked in group_element.cpp).
  alignas(32) std::array<std::byte, 256> storage_;
};

// A fixed point with a precomputed table (e.g. the server's public point L): its Mul is about 3x
// Element::Mul's. Built once (about the cost of one Element::Mul), immutable, safe to share
// between threads. Move-only; a moved-from one may only be assigned to or destroyed.
class PrecomputedElement {
 public:
  explicit PrecomputedElement(const Element& point);
  // scalar * point, constant time.
  Element Mul(const Scalar& scalar) const;

 private:
  struct TableDeleter {
    void operator()(void* table) const;
  };
  // libdecaf's decaf_255_precomputed_s, whose size is only known at run time (about 9 KiB).
  std::unique_ptr<void, TableDeleter> table_;
};

// Valid canonical encoding and not the identity. An encoding with its top bit set is not
// canonical (RFC 9496 4.3.1), though libsodium 1.0.18 accepted it.
bool IsValidPoint(const Point& point);

// H(message) = from_hash(BLAKE2b-512(len(domain) || domain || message)): a point whose discrete
// log nobody knows. `domain` separates uses (match keys, fillers, proofs).
Point HashToGroup(std::string_view domain, std::span<const std::uint8_t> message);

// scalar * G.
Point MulBase(const Scalar& scalar);
// scalar * point. kInvalidInput if the point is invalid or the product is the identity.
Result<Point> Mul(const Scalar& scalar, const Point& point);
// a + b. kInvalidInput if either is invalid (the identity is accepted, and may be the result).
Result<Point> Add(const Point& a, const Point& b);
// a - b. kInvalidInput if either is invalid (the identity is accepted, and may be the result).
Result<Point> Sub(const Point& a, const Point& b);

}  // namespace hashveil::psi
