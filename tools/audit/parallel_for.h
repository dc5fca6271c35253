// Runs fn(i) for i in [0, count) on worker threads. The audit's work items (an image, a
// parameter set) are independent and write only their own slot, so no locking is needed.
#pragma once

#include <cstdint>
#include <functional>

namespace hashveil::audit {

// (items done, total), called from the calling thread about ten times a second and at the end.
using ItemProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// `threads` == 0 uses every hardware thread. Returns when every item is done.
void ParallelFor(std::uint64_t count, unsigned threads, const std::function<void(std::uint64_t)>& fn,
                 const ItemProgress& progress = {});

}  // namespace hashveil::audit
