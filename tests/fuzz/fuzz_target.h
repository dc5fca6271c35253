// One entry point per parser, compiled two ways from the same <parser>_fuzzer.cpp:
//   - with HASHVEIL_LIBFUZZER defined, HASHVEIL_FUZZ_TARGET emits LLVMFuzzerTestOneInput, and the
//     file is a libFuzzer binary (scripts/fuzz);
//   - without it, the macro registers the entry point under the target's name, and
//     fuzz_regression_test replays tests/fuzz/regressions/<name>/ through it in the normal build.
// An entry point returns normally for every input; a broken invariant aborts (HV_FUZZ_CHECK), which
// both libFuzzer and the regression test report as a crash.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

namespace hashveil::fuzz {

using FuzzEntry = void (*)(std::span<const std::uint8_t> data);

struct FuzzTarget {
  std::string_view name;  // the folder name under tests/fuzz/{corpus,regressions}/
  FuzzEntry entry;
};

inline std::vector<FuzzTarget>& RegisteredTargets() {
  static std::vector<FuzzTarget> targets;
  return targets;
}

inline bool RegisterTarget(std::string_view name, FuzzEntry entry) {
  RegisteredTargets().push_back({name, entry});
  return true;
}

[[noreturn]] inline void FuzzCheckFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, condition);
  std::abort();
}

}  // namespace hashveil::fuzz

// An invariant every input must keep; aborts (a finding) when it does not.
#define HV_FUZZ_CHECK(condition) \
  ((condition) ? void(0) : ::hashveil::fuzz::FuzzCheckFailed(#condition, __FILE__, __LINE__))

#ifdef HASHVEIL_LIBFUZZER
#define HASHVEIL_FUZZ_TARGET(name, entry)                                                     \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {        \
    entry(std::span<const std::uint8_t>(data, size));                                         \
    return 0;                                                                                 \
  }
#else
#define HASHVEIL_FUZZ_TARGET(name, entry) \
  [[maybe_unused]] static const bool hv_fuzz_registered = ::hashveil::fuzz::RegisterTarget(name, entry);
#endif
