// Splits [0, count) into chunks run on `threads` threads (the calling thread among them), for
// the per-slot work of building, loading and auditing a DB. No global pool: each call starts
// and joins its own threads.
#pragma once

#include <cstdint>
#include <functional>

#include "hashveil/common/status.h"

namespace hashveil::hashdb {

// `body(begin, end)` handles one chunk and may run concurrently with other chunks. The first
// non-OK status stops the handing out of further chunks and is returned. `progress(done, total)`,
// if set, is called from the calling thread only. threads == 0 means all hardware threads.
Status ParallelFor(std::uint64_t count, unsigned threads,
                   const std::function<Status(std::uint64_t begin, std::uint64_t end)>& body,
                   const std::function<void(std::uint64_t done, std::uint64_t total)>& progress = {});

// The thread count `threads` asks for (0: all hardware threads), at least 1.
unsigned ResolveThreadCount(unsigned threads);

}  // namespace hashveil::hashdb
