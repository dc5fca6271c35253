#include "hashveil/psi/shamir.h"

#include <cassert>
#include <vector>

namespace hashveil::psi {

Result<ShamirPolynomial> ShamirPolynomial::Random(std::uint32_t threshold, RandomSource& random) {
  if (threshold == 0 || threshold > kMaxThreshold) {
    return Status::InvalidInput("Shamir threshold out of range");
  }
  std::vector<Scalar> coefficients;
  coefficients.reserve(threshold);
  for (std::uint32_t i = 0; i < threshold; ++i) coefficients.push_back(Scalar::Random(random));
  return ShamirPolynomial(std::move(coefficients));
}

Result<ShamirPolynomial> ShamirPolynomial::FromCoefficients(std::vector<Scalar> coefficients) {
  if (coefficients.empty() || coefficients.size() > kMaxThreshold) {
    return Status::InvalidInput("Shamir polynomial has no or too many coefficients");
  }
  return ShamirPolynomial(std::move(coefficients));
}

ShamirPolynomial ShamirPolynomial::Clone() const {
  std::vector<Scalar> copy;
  copy.reserve(coefficients_.size());
  for (const Scalar& c : coefficients_) copy.push_back(c.Clone());
  return ShamirPolynomial(std::move(copy));
}

Scalar ShamirPolynomial::Evaluate(const Scalar& x) const {
  Scalar value;
  for (auto it = coefficients_.rbegin(); it != coefficients_.rend(); ++it) value = value * x + *it;
  return value;
}

Share ShamirPolynomial::ShareAt(const Scalar& x) const {
  assert(!x.IsZero() && "a share at x = 0 would be the secret");
  return {x.Clone(), Evaluate(x)};
}

Result<Scalar> RecoverSecret(std::span<const Share> shares, std::uint32_t threshold) {
  if (threshold == 0 || threshold > kMaxThreshold) {
    return Status::InvalidInput("Shamir threshold out of range");
  }
  if (shares.size() < threshold) return Status::InvalidInput("fewer shares than the threshold");
  const auto used = shares.first(threshold);
  // f(0) = sum_i y_i * N_i / D_i with N_i = prod_{j != i} x_j and D_i = prod_{j != i} (x_j - x_i).
  // Scalar inversion dominates, so all D_i are inverted at once (Montgomery's trick: invert the
  // product, then peel the factors off with prefix products).
  std::vector<Scalar> numerators;
  std::vector<Scalar> prefix;  // prefix[i] = D_0 * ... * D_{i-1}
  numerators.reserve(used.size());
  prefix.reserve(used.size() + 1);
  prefix.push_back(Scalar::FromUint64(1));
  std::vector<Scalar> denominators;
  denominators.reserve(used.size());
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (used[i].x.IsZero()) return Status::InvalidInput("share with x = 0");
    Scalar numerator = Scalar::FromUint64(1);
    Scalar denominator = Scalar::FromUint64(1);
    for (std::size_t j = 0; j < used.size(); ++j) {
      if (j == i) continue;
      numerator = numerator * used[j].x;
      denominator = denominator * (used[j].x - used[i].x);
    }
    prefix.push_back(prefix.back() * denominator);
    numerators.push_back(std::move(numerator));
    denominators.push_back(std::move(denominator));
  }
  auto inverse_of_all = prefix.back().Invert();  // zero iff two x are equal
  if (!inverse_of_all.ok()) return Status::InvalidInput("two shares have the same x");
  Scalar remaining = std::move(inverse_of_all).value();  // (D_0 * ... * D_i)^-1, i descending
  Scalar secret;
  for (std::size_t i = used.size(); i-- > 0;) {
    const Scalar inverse = remaining * prefix[i];  // D_i^-1
    secret = secret + used[i].y * numerators[i] * inverse;
    remaining = remaining * denominators[i];
  }
  return secret;
}

}  // namespace hashveil::psi
