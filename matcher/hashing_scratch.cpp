#include "hashing_scratch.h"

#include <algorithm>
#include <array>

#include "hashveil/matcher/pdq_hasher.h"

namespace hashveil::matcher {
namespace {

template <typename T>
std::size_t Bytes(const std::vector<T>& buffer) {
  return buffer.capacity() * sizeof(T);
}

// The buffer holding the most bytes, released.
template <typename... Buffers>
void ReleaseLargest(Buffers&... buffers) {
  const std::array<std::size_t, sizeof...(Buffers)> sizes{Bytes(buffers)...};
  const std::size_t largest = static_cast<std::size_t>(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
  std::size_t index = 0;
  ((index++ == largest ? (void)std::remove_reference_t<Buffers>().swap(buffers) : (void)0), ...);
}

}  // namespace

std::size_t HashingScratch::retained_bytes() const {
  return Bytes(pixels) + Bytes(luma) + Bytes(filtered) + Bytes(sums) + Bytes(tiles) + Bytes(source_rows) +
         Bytes(source_cols) + Bytes(dc);
}

void HashingScratch::Bound(std::size_t max_bytes) {
  while (retained_bytes() > max_bytes) ReleaseLargest(pixels, luma, filtered, sums, tiles, source_rows, source_cols, dc);
}

void HashingScratch::Release() { Bound(0); }

HashingScratch& ThreadHashingScratch() {
  thread_local HashingScratch scratch;
  return scratch;
}

std::size_t ThreadHashingMemoryBytes() { return ThreadHashingScratch().retained_bytes(); }

void ReleaseThreadHashingMemory() { ThreadHashingScratch().Release(); }

}  // namespace hashveil::matcher
