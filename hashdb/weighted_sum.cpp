#include "weighted_sum.h"

#include <mutex>
#include <vector>

#include "parallel_for.h"

namespace hashveil::hashdb {
namespace {

// Windows of one byte: a weight's digits are its bytes. Best for ParallelFor's 1024-term chunks
// (window w costs chunk + 2 * 255 additions; 32 windows).
constexpr std::size_t kBuckets = 255;

void DoubleInPlace(psi::Element& element, int times) {
  for (int i = 0; i < times; ++i) {
    const psi::Element copy = element;
    element += copy;
  }
}

// sum_i weights[i] * points[i * stride + offset].
psi::Element BucketSum(std::span<const PublicWeight> weights, std::span<const psi::Element> points,
                       std::size_t stride, std::size_t offset, std::vector<psi::Element>& buckets) {
  psi::Element total;
  for (std::size_t byte = psi::kScalarBytes; byte-- > 0;) {
    DoubleInPlace(total, 8);
    buckets.assign(kBuckets, psi::Element());
    for (std::size_t i = 0; i < weights.size(); ++i) {
      const std::uint8_t digit = weights[i][byte];
      if (digit != 0) buckets[digit - 1] += points[i * stride + offset];
    }
    // sum_d d * bucket_d as running sums from the top digit down.
    psi::Element running, window;
    for (std::size_t d = kBuckets; d-- > 0;) {
      running += buckets[d];
      window += running;
    }
    total += window;
  }
  return total;
}

}  // namespace

Status WeightedSums(std::uint64_t count, const WeightedTerm& term, std::span<psi::Element> sums,
                    unsigned threads,
                    const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  const std::size_t width = sums.size();
  for (psi::Element& sum : sums) sum = psi::Element();
  std::mutex mutex;
  return ParallelFor(
      count, threads,
      [&](std::uint64_t begin, std::uint64_t end) -> Status {
        const auto size = static_cast<std::size_t>(end - begin);
        std::vector<PublicWeight> weights(size);
        std::vector<psi::Element> points(size * width);
        for (std::size_t i = 0; i < size; ++i) {
          HV_RETURN_IF_ERROR(
              term(begin + i, weights[i], std::span(points).subspan(i * width, width)));
        }
        std::vector<psi::Element> buckets;
        std::vector<psi::Element> partial;
        for (std::size_t s = 0; s < width; ++s) {
          partial.push_back(BucketSum(weights, points, width, s, buckets));
        }
        std::lock_guard<std::mutex> lock(mutex);
        for (std::size_t s = 0; s < width; ++s) sums[s] += partial[s];
        return Status::Ok();
      },
      progress);
}

}  // namespace hashveil::hashdb
