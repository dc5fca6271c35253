// Shamir secret sharing over the ristretto255 scalar field (docs/design.md section 5, "Account
// state"): the account's polynomial f of degree t-1 with f(0) the secret from which adkey is
// derived (DeriveKeyFromScalar). Each distinct matching image carries one share (x, f(x)); any
// t shares with distinct x rebuild f(0), t-1 reveal nothing about it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/status.h"
#include "hashveil/psi/group.h"

namespace hashveil::psi {

// Upper bound on the threshold t accepted anywhere (DB header, account state, detection), so a
// parser never allocates from an unchecked size.
inline constexpr std::uint32_t kMaxThreshold = 1024;

// A point (x, y) on the polynomial. x is never zero (x = 0 would be the secret itself).
struct Share {
  Scalar x;
  Scalar y;
  Share Clone() const { return {x.Clone(), y.Clone()}; }
};

// f(X) = a_0 + a_1 X + ... + a_{t-1} X^{t-1}; the coefficients are secrets (wiped).
// Immutable after creation, so safe to share between threads.
class ShamirPolynomial {
 public:
  // Uniformly random coefficients (the secret a_0 included). kInvalidInput unless
  // 1 <= threshold <= kMaxThreshold.
  static Result<ShamirPolynomial> Random(std::uint32_t threshold, RandomSource& random);
  // From stored coefficients a_0..a_{t-1} (account state). kInvalidInput for an empty list or
  // more than kMaxThreshold.
  static Result<ShamirPolynomial> FromCoefficients(std::vector<Scalar> coefficients);

  ShamirPolynomial(ShamirPolynomial&&) = default;
  ShamirPolynomial& operator=(ShamirPolynomial&&) = default;
  ShamirPolynomial Clone() const;

  // t = degree + 1.
  std::uint32_t threshold() const { return static_cast<std::uint32_t>(coefficients_.size()); }
  // f(0).
  const Scalar& secret() const { return coefficients_.front(); }
  const std::vector<Scalar>& coefficients() const { return coefficients_; }
  // f(x) by Horner's rule.
  Scalar Evaluate(const Scalar& x) const;
  // (x, f(x)). Precondition: x is not zero (asserted).
  Share ShareAt(const Scalar& x) const;

 private:
  explicit ShamirPolynomial(std::vector<Scalar> coefficients)
      : coefficients_(std::move(coefficients)) {}
  std::vector<Scalar> coefficients_;
};

// f(0) by Lagrange interpolation at zero from the first `threshold` shares (any further shares
// are ignored). kInvalidInput when threshold is 0 or above kMaxThreshold, fewer than `threshold`
// shares are given, or among the used shares an x is zero or two x are equal.
Result<Scalar> RecoverSecret(std::span<const Share> shares, std::uint32_t threshold);

}  // namespace hashveil::psi
