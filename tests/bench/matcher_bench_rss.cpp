// Peak RSS of hashing one photo in a fresh process linked to hashveil::matcher alone (no
// benchmark peer libraries), with the resident size before any work: how much of the peak is
// the loaded libraries and how much the decode. Prints figures; asserts nothing.
//
//   matcher_bench_rss MODE PHOTO    MODE fast|reference
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "hashveil/matcher/pdq_hasher.h"

namespace {

// VmRSS from /proc/self/status, in MB (0 where /proc is absent).
double ResidentMb() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      double kb = 0;
      status >> kb;
      return kb / 1024.0;
    }
    status.ignore(1 << 12, '\n');
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (std::strcmp(argv[1], "fast") != 0 && std::strcmp(argv[1], "reference") != 0)) {
    std::fprintf(stderr, "usage: matcher_bench_rss fast|reference PHOTO\n");
    return 2;
  }
  const double idle = ResidentMb();
  const bool reference = std::strcmp(argv[1], "reference") == 0;
  const auto result = hashveil::matcher::HashImageFile(
      argv[2], {.mode = reference ? hashveil::matcher::DecodeMode::kReference : hashveil::matcher::DecodeMode::kFast});
  if (!result.ok()) {
    std::fprintf(stderr, "hashing failed: %s\n", result.status().ToString().c_str());
    return 1;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double peak = usage.ru_maxrss / 1024.0;
  std::printf("%-9s mode: RSS before hashing %.1f MB (libraries loaded), peak %.1f MB (+%.1f MB)\n", argv[1], idle,
              peak, peak - idle);
  return 0;
}
