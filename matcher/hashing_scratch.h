// Working memory of the hashing path, kept between images on one thread (ThreadHashingScratch),
// bounded (kMaxRetainedHashingBytes, include/hashveil/matcher/pdq_hasher.h).
//
// Without it each image's buffers (the decoded plane, the float luma plane and the Jarosz
// filter's second plane: 2.5-3.5 MB for a 1600 px photo) went back to the allocator and, past
// glibc's mmap and trim thresholds, to the kernel, and the next image faulted them back in page
// by page: 500-850 minor faults and about half the CPU of a fast-mode hash of a 1600 px JPEG in
// a process that had not yet freed larger blocks (docs/pdq.md, "Memory reuse").
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hashveil::matcher {

struct HashingScratch {
  std::vector<std::uint8_t> pixels;  // a decoder's output (DecodedImage::pixels moves out and back)
  std::vector<float> luma;           // the float plane hashed (LumaPlane::values moves out and back)
  std::vector<float> filtered;       // the Jarosz filter's second plane
  std::vector<float> sums;           // the Jarosz filter's running sums
  std::vector<float> tiles;          // the Jarosz row pass's transposed tiles
  std::vector<int> source_rows, source_cols;  // the squash's nearest-neighbour indices
  std::vector<std::int16_t> dc;      // the early-scan reader's DC per block

  // Bytes held (capacities).
  std::size_t retained_bytes() const;
  // Releases buffers, largest first, until at most `max_bytes` are held.
  void Bound(std::size_t max_bytes);
  // Releases every buffer.
  void Release();
};

// This thread's scratch (created on first use, freed when the thread exits).
HashingScratch& ThreadHashingScratch();

// Resizes `buffer` to `size` elements for reuse: keeps its storage when the capacity suffices,
// otherwise releases it before allocating (old and new never coexist). `zero`: every element
// zero afterwards; otherwise only elements past the previous size are, and the caller writes
// every element it reads.
template <typename T>
void Refit(std::vector<T>& buffer, std::size_t size, bool zero) {
  if (buffer.capacity() < size) {
    std::vector<T>().swap(buffer);
    buffer.reserve(size);
  }
  if (zero) buffer.clear();
  buffer.resize(size);
}

// Takes `slot`'s storage, refitted to `size` (as Refit), leaving `slot` empty.
template <typename T>
std::vector<T> TakeBuffer(std::vector<T>& slot, std::size_t size, bool zero) {
  std::vector<T> buffer;
  buffer.swap(slot);
  Refit(buffer, size, zero);
  return buffer;
}

}  // namespace hashveil::matcher
