#include "hashveil/psi/detectable_hash.h"

#include <algorithm>

#include "field.h"
#include "little_endian.h"

namespace hashveil::psi {
namespace {

Status ValidateDhfParameters(std::uint32_t threshold, std::uint32_t synthetic_max) {
  if (threshold < 2 || threshold > kMaxThreshold) {
    return Status::InvalidInput("detectable hash threshold out of range");
  }
  if (synthetic_max > kMaxSyntheticTags) {
    return Status::InvalidInput("detectable hash synthetic maximum out of range");
  }
  return Status::Ok();
}

}  // namespace

std::size_t EncodedTagSize(std::uint32_t synthetic_max) {
  return 8 * (1 + static_cast<std::size_t>(synthetic_max));
}

std::vector<std::uint8_t> EncodeTag(const Tag& tag) {
  std::vector<std::uint8_t> bytes(8 * (1 + tag.values.size()));
  StoreLittleEndian<std::uint64_t>(tag.x, bytes.data());
  for (std::size_t i = 0; i < tag.values.size(); ++i) StoreLittleEndian<std::uint64_t>(tag.values[i], &bytes[8 * (i + 1)]);
  return bytes;
}

Result<Tag> DecodeTag(std::span<const std::uint8_t> bytes, std::uint32_t synthetic_max) {
  if (synthetic_max > kMaxSyntheticTags || bytes.size() != EncodedTagSize(synthetic_max)) {
    return Status::Corrupt("tag has the wrong length");
  }
  Tag tag;
  tag.x = LoadLittleEndian<std::uint64_t>(bytes.data());
  tag.values.resize(synthetic_max);
  for (std::size_t i = 0; i < synthetic_max; ++i) tag.values[i] = LoadLittleEndian<std::uint64_t>(&bytes[8 * (i + 1)]);
  const auto out_of_field = [](FieldElement e) { return e >= kFieldPrime; };
  if (out_of_field(tag.x) || std::any_of(tag.values.begin(), tag.values.end(), out_of_field)) {
    return Status::Corrupt("tag element is not in the field");
  }
  return tag;
}

Result<DetectableHashKey> DetectableHashKey::Random(std::uint32_t threshold,
                                                    std::uint32_t synthetic_max,
                                                    RandomSource& random) {
  HV_RETURN_IF_ERROR(ValidateDhfParameters(threshold, synthetic_max));
  std::vector<FieldElement> coefficients(static_cast<std::size_t>(synthetic_max) *
                                         (threshold - 1));
  for (FieldElement& c : coefficients) c = random.Uniform(kFieldPrime);
  return DetectableHashKey(threshold, synthetic_max, std::move(coefficients));
}

Result<DetectableHashKey> DetectableHashKey::FromCoefficients(
    std::uint32_t threshold, std::uint32_t synthetic_max, std::vector<FieldElement> coefficients) {
  DetectableHashKey key(threshold, synthetic_max, std::move(coefficients));
  HV_RETURN_IF_ERROR(ValidateDhfParameters(threshold, synthetic_max));
  if (key.coefficients_.size() != static_cast<std::size_t>(synthetic_max) * (threshold - 1)) {
    return Status::InvalidInput("detectable hash key has the wrong number of coefficients");
  }
  if (std::any_of(key.coefficients_.begin(), key.coefficients_.end(),
                  [](FieldElement c) { return c >= kFieldPrime; })) {
    return Status::InvalidInput("detectable hash key coefficient is not in the field");
  }
  return key;
}

DetectableHashKey::~DetectableHashKey() {
  if (!coefficients_.empty()) {
    SecureWipe(coefficients_.data(), coefficients_.size() * sizeof(FieldElement));
  }
}

DetectableHashKey DetectableHashKey::Clone() const {
  return DetectableHashKey(threshold_, synthetic_max_, coefficients_);
}

Tag DetectableHashKey::Evaluate(FieldElement x) const {
  const std::size_t degree_plus_one = threshold_ - 1;
  Tag tag;
  tag.x = x;
  tag.values.reserve(synthetic_max_);
  for (std::size_t i = 0; i < synthetic_max_; ++i) {
    const FieldElement* row = &coefficients_[i * degree_plus_one];
    FieldElement value = 0;
    for (std::size_t k = degree_plus_one; k-- > 0;) value = field::Add(field::Mul(value, x), row[k]);
    tag.values.push_back(value);
  }
  return tag;
}

namespace {

Status ValidateTags(std::span<const Tag> tags, std::uint32_t synthetic_max) {
  std::vector<FieldElement> xs;
  xs.reserve(tags.size());
  for (const Tag& tag : tags) {
    if (tag.values.size() != synthetic_max) {
      return Status::InvalidInput("tag has the wrong number of values");
    }
    const auto out_of_field = [](FieldElement e) { return e >= kFieldPrime; };
    if (out_of_field(tag.x) || std::any_of(tag.values.begin(), tag.values.end(), out_of_field)) {
      return Status::InvalidInput("tag element is not in the field");
    }
    xs.push_back(tag.x);
  }
  std::sort(xs.begin(), xs.end());
  if (std::adjacent_find(xs.begin(), xs.end()) != xs.end()) {
    return Status::InvalidInput("two tags have the same x; deduplicate candidates first");
  }
  return Status::Ok();
}

// Row-major (t-1+s) x m matrix whose column j is (1, x_j, ..., x_j^{t-2}, y_1j, ..., y_sj).
class TagMatrix {
 public:
  TagMatrix(std::span<const Tag> tags, std::uint32_t threshold)
      : rows_(threshold - 1 + (tags.empty() ? 0 : tags.front().values.size())),
        columns_(tags.size()),
        cells_(rows_ * columns_) {
    for (std::size_t j = 0; j < columns_; ++j) {
      FieldElement power = 1;
      for (std::size_t k = 0; k + 1 < threshold; ++k) {
        at(k, j) = power;
        power = field::Mul(power, tags[j].x);
      }
      for (std::size_t i = 0; i < tags[j].values.size(); ++i) {
        at(threshold - 1 + i, j) = tags[j].values[i];
      }
    }
  }

  // Reduces to row echelon form with unit pivots and zeros above and below them; returns the
  // pivot column of each pivot row, in order.
  std::vector<std::size_t> ReduceToEchelonForm() {
    std::vector<std::size_t> pivot_columns;
    std::size_t row = 0;
    for (std::size_t col = 0; col < columns_ && row < rows_; ++col) {
      std::size_t pivot = row;
      while (pivot < rows_ && at(pivot, col) == 0) ++pivot;
      if (pivot == rows_) continue;  // a free column
      SwapRows(pivot, row);
      const FieldElement inverse = field::Invert(at(row, col));
      for (std::size_t c = col; c < columns_; ++c) at(row, c) = field::Mul(at(row, c), inverse);
      for (std::size_t r = 0; r < rows_; ++r) {
        const FieldElement factor = at(r, col);
        if (r == row || factor == 0) continue;
        for (std::size_t c = col; c < columns_; ++c) {
          at(r, c) = field::Sub(at(r, c), field::Mul(factor, at(row, c)));
        }
      }
      pivot_columns.push_back(col);
      ++row;
    }
    return pivot_columns;
  }

  FieldElement& at(std::size_t row, std::size_t col) { return cells_[row * columns_ + col]; }
  std::size_t columns() const { return columns_; }

 private:
  void SwapRows(std::size_t a, std::size_t b) {
    if (a == b) return;
    std::swap_ranges(cells_.begin() + a * columns_, cells_.begin() + (a + 1) * columns_,
                     cells_.begin() + b * columns_);
  }

  std::size_t rows_;
  std::size_t columns_;
  std::vector<FieldElement> cells_;
};

}  // namespace

Result<Detection> DetectRealTags(std::span<const Tag> tags, std::uint32_t threshold,
                                 std::uint32_t synthetic_max) {
  HV_RETURN_IF_ERROR(ValidateDhfParameters(threshold, synthetic_max));
  HV_RETURN_IF_ERROR(ValidateTags(tags, synthetic_max));
  TagMatrix matrix(tags, threshold);
  const std::vector<std::size_t> pivot_columns = matrix.ReduceToEchelonForm();

  // Kernel basis: one vector per free column f, with 1 at f and -A[r][f] at the pivot column of
  // each row r. The union of the supports is every free column plus every pivot column with a
  // non-zero entry in some free column.
  std::vector<bool> is_pivot(matrix.columns(), false);
  for (std::size_t col : pivot_columns) is_pivot[col] = true;
  std::vector<bool> in_support(matrix.columns(), false);
  std::size_t kernel_dimension = 0;
  for (std::size_t f = 0; f < matrix.columns(); ++f) {
    if (is_pivot[f]) continue;
    ++kernel_dimension;
    in_support[f] = true;
    for (std::size_t r = 0; r < pivot_columns.size(); ++r) {
      if (matrix.at(r, f) != 0) in_support[pivot_columns[r]] = true;
    }
  }

  Detection detection;
  if (kernel_dimension == 0) return detection;  // all independent: fewer than t real
  std::vector<std::size_t> support;
  for (std::size_t j = 0; j < matrix.columns(); ++j) {
    if (in_support[j]) support.push_back(j);
  }
  // Span check: real columns all lie in one (t-1)-dimensional subspace, so the support D must
  // have rank exactly t-1 (rank(D) = |D| - dim ker, since the whole kernel lives on D). Every
  // column outside D is outside span(D) by construction (else it would be in a kernel vector).
  // A larger rank means synthetic columns entered the kernel: more than s of them.
  if (support.size() - kernel_dimension != threshold - 1) {
    detection.outcome = Detection::Outcome::kTooManySynthetics;
    return detection;
  }
  detection.outcome = Detection::Outcome::kDetected;
  detection.real = std::move(support);
  return detection;
}

}  // namespace hashveil::psi
