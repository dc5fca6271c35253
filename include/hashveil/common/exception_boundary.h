// Library code reports through Status, but an allocation, OpenCV or the standard library can
// still throw. At the edge of the public API, this turns whatever escapes into a Status, so no
// exception crosses it: std::bad_alloc is kResourceExhausted, any other exception kInternal.
#pragma once

#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "hashveil/common/status.h"

namespace hashveil {

// Runs `work` (returning a Result<T> or a Status) and returns what it returns, or the Status for
// an exception it threw. `what` names the operation ("scanning"), never its input.
template <typename Work>
auto StatusFromExceptions(std::string_view what, Work&& work) -> decltype(work()) {
  try {
    return work();
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("out of memory while " + std::string(what));
  } catch (const std::exception&) {
    return Status::Internal(std::string(what) + " failed unexpectedly");
  }
}

}  // namespace hashveil
