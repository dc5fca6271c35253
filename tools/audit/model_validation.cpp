#include "audit/model_validation.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <functional>

#include "audit/measurements.h"

namespace hashveil::audit {
namespace {

// The two-sided 95% normal quantile, matching the Garwood intervals' 97.5% upper sides.
constexpr double kZ = 1.959963984540054;

using Bits256 = std::array<std::uint64_t, 4>;

Bits256 HashBits(const matcher::PdqHash& hash) {
  Bits256 bits{};
  for (int b = 0; b < matcher::PdqHash::kBits; ++b) {
    if (hash.bit(b)) bits[b / 64] |= std::uint64_t{1} << (b % 64);
  }
  return bits;
}

int MaskedDistance(const Bits256& x, const Bits256& y, const Bits256& mask) {
  int d = 0;
  for (int w = 0; w < 4; ++w) d += std::popcount((x[w] ^ y[w]) & mask[w]);
  return d;
}

// How many selected bits a probe flips relative to the device's base key of the same table.
int FlippedBits(const matcher::MatchKey& probe, const matcher::MatchKey& base) {
  int j = 0;
  for (std::size_t i = 1; i < probe.size(); ++i) j += std::popcount<unsigned>(probe[i] ^ base[i]);
  return j;
}

double LogChoose(double n, double k) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

// The beta-binomial fit per table over the unordered distinct pairs.
std::vector<BetaBinomial> FitTables(const std::vector<Bits256>& hashes, const UnrelatedPairs& pairs,
                                    const MatchingScheme& scheme) {
  std::vector<BetaBinomial> fits;
  for (std::uint32_t table = 0; table < scheme.keys.tables; ++table) {
    Bits256 mask{};
    for (int position : matcher::SelectedPositions(scheme.keys, table)) {
      mask[position / 64] |= std::uint64_t{1} << (position % 64);
    }
    std::vector<std::uint64_t> counts(scheme.keys.bits_per_key + 1);
    for (std::size_t a = 0; a < hashes.size(); ++a) {
      for (std::size_t b = a + 1; b < hashes.size(); ++b) {
        if (pairs.unrelated(a, b)) ++counts[MaskedDistance(hashes[a], hashes[b], mask)];
      }
    }
    fits.push_back(FitBetaBinomial(counts));
  }
  return fits;
}

// The beta-binomial model's expected key matches: per device image, the sum over its probes of
// P(D = j) / C(k, j), times the unrelated photos it is paired with.
double CorrelatedExpected(const CorpusHashes& corpus, const UnrelatedPairs& pairs,
                          const MatchingScheme& scheme, const std::vector<BetaBinomial>& fits) {
  const double k = scheme.keys.bits_per_key;
  double expected = 0;
  for (std::size_t a = 0; a < corpus.images.size(); ++a) {
    const matcher::PdqResult& image = corpus.images[a].original;
    const std::vector<matcher::MatchKey> base = matcher::BaseKeys(image.hash, scheme.keys);
    double rate = 0;
    for (const matcher::MatchKey& probe : DeviceProbes(image, scheme)) {
      const std::uint8_t table = probe[0];
      const int j = FlippedBits(probe, base[table]);
      rate += fits[table].Pmf(j) * std::exp(-LogChoose(k, j));
    }
    expected += rate * static_cast<double>(pairs.PerDevice(a));
  }
  return expected;
}

ModelEstimate Estimate(const std::vector<std::uint32_t>& bits,
                       const std::vector<const SchemeEvidence*>& validation, double own_expected,
                       std::uint32_t own_bits, std::uint64_t unrelated_pairs,
                       const std::function<double(const SchemeEvidence&)>& expected) {
  ModelEstimate estimate;
  for (std::size_t i = 0; i < validation.size(); ++i) {
    estimate.points.push_back({bits[i], validation[i]->observed, expected(*validation[i])});
  }
  estimate.correction = ConservativeCorrection(estimate.points, own_bits);
  estimate.held_out = HoldOutLongest(estimate.points);
  estimate.pair_rate =
      unrelated_pairs > 0 ? own_expected / static_cast<double>(unrelated_pairs) : 0;
  const double factor = estimate.correction.factor;
  estimate.corrected_pair_rate =
      std::isfinite(factor) ? std::min(1.0, estimate.pair_rate * factor) : 1.0;
  return estimate;
}

}  // namespace

std::vector<MatchingScheme> ValidationSchemes(const MatchingScheme& scheme) {
  std::vector<MatchingScheme> schemes;
  for (std::uint32_t bits : kValidationBits) {
    if (bits >= scheme.keys.bits_per_key) continue;
    MatchingScheme shorter = scheme;
    shorter.keys.bits_per_key = bits;
    schemes.push_back(shorter);
  }
  return schemes;
}

UnrelatedPairs::UnrelatedPairs(const CorpusHashes& corpus)
    : images_(corpus.images.size()), unrelated_(images_ * images_), per_device_(images_) {
  for (std::size_t a = 0; a < images_; ++a) {
    for (std::size_t b = 0; b < images_; ++b) {
      const bool unrelated = a != b && matcher::HammingDistance(corpus.images[a].original.hash,
                                                                corpus.images[b].original.hash) >=
                                           kUnrelatedPairDistance;
      unrelated_[a * images_ + b] = unrelated;
      per_device_[a] += unrelated;
      ordered_pairs_ += unrelated;
    }
  }
}

SchemeEvidence MeasureEvidence(const CorpusHashes& corpus, const UnrelatedPairs& pairs,
                               const MatchingScheme& scheme) {
  SchemeEvidence evidence;
  evidence.observed_per_device.resize(corpus.images.size());
  for (const KeyMatch& match : FindKeyMatches(corpus, scheme)) {
    if (!pairs.unrelated(match.device, match.listed)) continue;
    ++evidence.observed;
    ++evidence.observed_per_device[match.device];
  }
  evidence.independent_expected =
      ModelPairRates(corpus, {scheme})[0] * static_cast<double>(pairs.ordered_pairs());
  std::vector<Bits256> hashes;
  for (const ImageHashes& image : corpus.images) hashes.push_back(HashBits(image.original.hash));
  evidence.fits = FitTables(hashes, pairs, scheme);
  evidence.correlated_expected = CorrelatedExpected(corpus, pairs, scheme, evidence.fits);
  return evidence;
}

Correction ConservativeCorrection(const std::vector<ObservedExpected>& points,
                                  std::uint32_t target_bits) {
  Correction c;
  double observed = 0, expected = 0;
  // Weighted least squares of y = log(O/E) on x = k, weights O.
  double w = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  std::vector<std::array<double, 3>> fitted;  // (x, y, weight)
  for (const ObservedExpected& p : points) {
    if (p.expected <= 0) continue;
    observed += static_cast<double>(p.observed);
    expected += p.expected;
    if (p.observed == 0) continue;
    const double x = p.bits, y = std::log(p.observed / p.expected), weight = p.observed;
    fitted.push_back({x, y, weight});
    w += weight, sx += weight * x, sy += weight * y, sxx += weight * x * x, sxy += weight * x * y;
  }
  if (expected <= 0) return c;
  c.pooled_ratio = observed / expected;
  c.pooled_upper = GarwoodInterval(static_cast<std::uint64_t>(observed)).upper / expected;
  c.factor = c.pooled_upper;
  const double det = w * sxx - sx * sx;
  if (fitted.size() < 2 || det <= 0) return c;
  c.trend_fitted = true;
  c.trend_slope = (w * sxy - sx * sy) / det;
  const double intercept = (sy - c.trend_slope * sx) / w;
  double dispersion = 1;
  if (fitted.size() > 2) {
    double chi2 = 0;
    for (const auto& [x, y, weight] : fitted) {
      const double residual = y - (intercept + c.trend_slope * x);
      chi2 += weight * residual * residual;
    }
    dispersion = std::max(1.0, chi2 / static_cast<double>(fitted.size() - 2));
  }
  const double x0 = target_bits;
  const double variance = dispersion * (sxx - 2 * x0 * sx + x0 * x0 * w) / det;
  c.trend_central = std::exp(intercept + c.trend_slope * x0);
  c.trend_upper = std::exp(intercept + c.trend_slope * x0 + kZ * std::sqrt(variance));
  if (c.trend_slope > 0) {
    c.trend_used = true;
    c.factor = std::max(c.pooled_upper, c.trend_upper);
  }
  return c;
}

HeldOutCheck HoldOutLongest(const std::vector<ObservedExpected>& points) {
  HeldOutCheck check;
  // The rule fits a trend through two or more observed lengths, so the length held out is the
  // first after two observed ones (observed or not: a zero there is evidence too); with fewer,
  // the longest observed one, predicted from the shorter ones by their pooled ratio.
  const ObservedExpected* longest = nullptr;
  int observed_before = 0;
  for (const ObservedExpected& p : points) {
    if (p.expected <= 0) continue;
    if (observed_before >= 2) {
      longest = &p;
      break;
    }
    if (p.observed > 0) ++observed_before;
  }
  if (!longest) {
    for (const ObservedExpected& p : points) {
      if (p.observed > 0 && p.expected > 0 && (!longest || p.bits > longest->bits)) longest = &p;
    }
  }
  if (!longest) return check;
  std::vector<ObservedExpected> shorter;
  for (const ObservedExpected& p : points) {
    if (p.bits < longest->bits && p.expected > 0) shorter.push_back(p);
  }
  const Correction correction = ConservativeCorrection(shorter, longest->bits);
  if (!std::isfinite(correction.factor)) return check;
  check.possible = true;
  check.bits = longest->bits;
  check.observed = longest->observed;
  check.observed_interval = GarwoodInterval(longest->observed);
  check.predicted = longest->expected *
                    (correction.trend_used ? correction.trend_central : correction.pooled_ratio);
  check.predicted_upper = longest->expected * correction.factor;
  return check;
}

double DecileMultiplier(std::vector<std::uint64_t> per_image) {
  if (per_image.empty()) return 1;
  const std::size_t decile = (per_image.size() + 9) / 10;
  const double bound = static_cast<double>(per_image.size()) / static_cast<double>(decile);
  std::sort(per_image.begin(), per_image.end(), std::greater<>());
  double top = 0, all = 0;
  for (std::size_t i = 0; i < per_image.size(); ++i) {
    all += static_cast<double>(per_image[i]);
    if (i < decile) top += static_cast<double>(per_image[i]);
  }
  return all > 0 ? top / all * bound : bound;
}

ModelValidation ValidateModel(const MatchingScheme& scheme,
                              const std::vector<const SchemeEvidence*>& validation,
                              const SchemeEvidence& own, std::uint64_t unrelated_pairs,
                              double db_entries) {
  ModelValidation v;
  for (const MatchingScheme& shorter : ValidationSchemes(scheme)) {
    v.bits.push_back(shorter.keys.bits_per_key);
  }
  for (const SchemeEvidence* evidence : validation) {
    v.observed.push_back(evidence->observed);
    v.fits.push_back(evidence->fits);
  }
  v.own_fits = own.fits;
  const std::uint32_t k = scheme.keys.bits_per_key;
  v.independent = Estimate(v.bits, validation, own.independent_expected, k, unrelated_pairs,
                           [](const SchemeEvidence& e) { return e.independent_expected; });
  v.correlated = Estimate(v.bits, validation, own.correlated_expected, k, unrelated_pairs,
                          [](const SchemeEvidence& e) { return e.correlated_expected; });
  // Neither model is assumed right: each is corrected by its own measured error and the
  // larger is carried.
  v.validated_pair_rate =
      std::max(v.independent.corrected_pair_rate, v.correlated.corrected_pair_rate);
  v.validated_per_image_rate = std::min(1.0, v.validated_pair_rate * db_entries);
  const ModelEstimate& carried =
      v.independent.corrected_pair_rate >= v.correlated.corrected_pair_rate ? v.independent
                                                                            : v.correlated;
  v.validated = carried.held_out.covered();
  v.riskiest_decile_multiplier = 0;
  for (const SchemeEvidence* evidence : validation) {
    if (evidence->observed < kDecileMinEvents) continue;
    v.riskiest_decile_multiplier =
        std::max(v.riskiest_decile_multiplier, DecileMultiplier(evidence->observed_per_device));
  }
  if (v.riskiest_decile_multiplier == 0) {
    v.riskiest_decile_multiplier = DecileMultiplier(
        std::vector<std::uint64_t>(own.observed_per_device.size()));  // no evidence: the bound
  }
  v.riskiest_per_image_rate =
      std::min(1.0, v.validated_per_image_rate * v.riskiest_decile_multiplier);
  return v;
}

}  // namespace hashveil::audit
