// The detectable hash function (DHF) of the Apple PSI System (docs/design.md section 5): it lets
// the server separate real from synthetic candidates once an account holds at least t real
// ones, and not before.
//
// Field F_p, p = 2^64 - 59. The key hkey is s random polynomials f_1..f_s of degree t-2. The
// tag of x' is (x', f_1(x'), ..., f_s(x')); a synthetic tag is (x', s uniformly random values).
// Any t-1 real tags with distinct x' are uniformly distributed (t-1 evaluations of a degree
// t-2 polynomial), so below the threshold real and synthetic tags look alike. The column
// (1, x', ..., x'^{t-2}, y_1, ..., y_s) of a real tag lies in one (t-1)-dimensional subspace
// (each y_i is a fixed linear form of the powers of x'), so t or more real tags are linearly
// dependent, while up to s synthetic columns are independent of that subspace with
// overwhelming probability. Detection finds the dependent columns.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/status.h"
#include "hashveil/psi/shamir.h"

namespace hashveil::psi {

inline constexpr std::uint64_t kFieldPrime = 0xFFFFFFFFFFFFFFC5ULL;  // 2^64 - 59
// Upper bound on s (the number of synthetic tags detection tolerates, s_max of the DB header).
inline constexpr std::uint32_t kMaxSyntheticTags = 1024;

// An element of F_p, always < kFieldPrime.
using FieldElement = std::uint64_t;

// (x', y_1..y_s). Not secret by itself: the server sees the tags of its candidates.
struct Tag {
  FieldElement x = 0;
  std::vector<FieldElement> values;
  friend bool operator==(const Tag&, const Tag&) = default;
};

// Encoded size of a tag with s values: 8 * (1 + s) bytes, little-endian u64s x, y_1..y_s.
std::size_t EncodedTagSize(std::uint32_t synthetic_max);
std::vector<std::uint8_t> EncodeTag(const Tag& tag);
// kCorrupt unless `bytes` is exactly EncodedTagSize(synthetic_max) long and every element < p.
Result<Tag> DecodeTag(std::span<const std::uint8_t> bytes, std::uint32_t synthetic_max);

// hkey. Secret (wiped on destruction); immutable after creation, so safe to share between
// threads.
class DetectableHashKey {
 public:
  // Uniformly random polynomials. kInvalidInput unless 2 <= threshold <= kMaxThreshold and
  // synthetic_max <= kMaxSyntheticTags.
  static Result<DetectableHashKey> Random(std::uint32_t threshold, std::uint32_t synthetic_max,
                                          RandomSource& random);
  // From stored coefficients: s rows of t-1 coefficients (constant term first), row-major.
  // kInvalidInput for out-of-range parameters, a wrong count or an element >= p.
  static Result<DetectableHashKey> FromCoefficients(std::uint32_t threshold,
                                                    std::uint32_t synthetic_max,
                                                    std::vector<FieldElement> coefficients);

  DetectableHashKey(DetectableHashKey&&) = default;
  DetectableHashKey& operator=(DetectableHashKey&&) = default;
  ~DetectableHashKey();
  DetectableHashKey Clone() const;

  std::uint32_t threshold() const { return threshold_; }
  std::uint32_t synthetic_max() const { return synthetic_max_; }
  // s*(t-1) elements, row-major as FromCoefficients takes them.
  const std::vector<FieldElement>& coefficients() const { return coefficients_; }

  // The real tag (x, f_1(x), ..., f_s(x)). Precondition: x < p.
  Tag Evaluate(FieldElement x) const;

 private:
  DetectableHashKey(std::uint32_t threshold, std::uint32_t synthetic_max,
                    std::vector<FieldElement> coefficients)
      : threshold_(threshold), synthetic_max_(synthetic_max),
        coefficients_(std::move(coefficients)) {}
  std::uint32_t threshold_;
  std::uint32_t synthetic_max_;
  std::vector<FieldElement> coefficients_;
};

struct Detection {
  enum class Outcome {
    // Fewer than t real tags are present (or none can be told apart): nothing is revealed.
    kBelowThreshold,
    // `real` lists the real tags, at least t of them.
    kDetected,
    // More synthetic tags than s: real and synthetic cannot be separated. Nothing is lost
    // (the candidates stay stored); the account is flagged.
    kTooManySynthetics,
  };
  Outcome outcome = Outcome::kBelowThreshold;
  std::vector<std::size_t> real;  // indices into the input, ascending; empty unless kDetected
};

// Separates real from synthetic tags (each with s = synthetic_max values). Builds the
// (t-1+s) x m matrix whose column j is (1, x_j, ..., x_j^{t-2}, y_1j, ..., y_sj), computes a
// kernel basis by Gaussian elimination mod p and takes the union of the kernel vectors'
// supports as the real set D (no column outside D lies in span(D), else it would be in the
// support of a kernel vector); then checks span membership the other way: D must span exactly
// t-1 dimensions, as columns of one hkey do. A D that fails the check means more than s
// synthetics entered the kernel: kTooManySynthetics.
// Each outcome is wrong with probability about m / p. Cost O((t-1+s)^2 m).
// kInvalidInput for t outside [2, kMaxThreshold], s above kMaxSyntheticTags, a tag with the
// wrong number of values or an element >= p, or two tags with the same x (the caller must
// deduplicate candidates of the same image first).
Result<Detection> DetectRealTags(std::span<const Tag> tags, std::uint32_t threshold,
                                 std::uint32_t synthetic_max);

}  // namespace hashveil::psi
