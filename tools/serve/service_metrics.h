// What the voucher service counts, rendered as Prometheus text (exposition format 0.0.4) for
// GET /metrics (behind the bearer token). Counters run from the process start, as Prometheus
// expects; nothing here names an account or carries a voucher's content, and no counter moves
// with what opening a voucher found (a candidate, nothing, an inconsistent voucher): a counter
// that did would tell whoever reads it, request by request, whether a voucher matched.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "latency_histogram.h"
#include "store_pool.h"

namespace hashveil::tools::serve {

// Why a request to the write endpoint was refused; each has its own counter.
enum class RefusalReason {
  kUnauthorized,         // missing or wrong bearer token
  kBadAccount,           // account name outside [A-Za-z0-9._-]{1,128}
  kTooLarge,             // body over the size limit (refused before it is read)
  kMalformed,            // wrong length, wrong entry count, an invalid point
  kWrongEpoch,           // made for another DB
  kUnsupportedVersion,   // a voucher format this server does not read
  kStoreUnavailable,     // the store could not commit it (the client should retry)
};
inline constexpr std::size_t kRefusalReasonCount = 7;
std::string_view RefusalReasonName(RefusalReason reason);

// Why the HTTP layer refused a request before any endpoint saw it; each has its own counter.
enum class HttpRefusal {
  kBadRequest,       // unparsable request line or headers, a bad Content-Length, a cut body
  kLengthRequired,   // a chunked body: only bodies of a declared length are read
  kTimedOut,         // a request that did not arrive within the request timeout (connection closed)
};
inline constexpr std::size_t kHttpRefusalCount = 3;
std::string_view HttpRefusalName(HttpRefusal refusal);

// What /metrics says of the process itself (Prometheus's `*_info` convention: a gauge of 1 whose
// labels carry the facts).
struct ServedBuild {
  std::string version;        // hashveil's
  std::uint64_t epoch = 0;    // the current client DB's
  std::uint32_t threshold = 0;
  std::array<std::uint8_t, 32> digest{};
  // An older DB whose vouchers are still accepted (docs/service.md, "DB updates"), and until
  // when (Unix seconds).
  struct Transition {
    std::uint64_t epoch = 0;
    std::uint32_t threshold = 0;
    std::array<std::uint8_t, 32> digest{};
    std::int64_t accepted_until = 0;
  };
  std::vector<Transition> transitions;
};

// Thread-safe: every method may be called from any request thread.
class ServiceMetrics {
 public:
  // `store`: the service's share store connections, whose metrics (store_pool.h) /metrics
  // shows too; it must outlive this.
  explicit ServiceMetrics(ServedBuild build = {}, const StorePool* store = nullptr);

  void CountAccepted() { accepted_.fetch_add(1, std::memory_order_relaxed); }
  void CountDuplicate() { duplicates_.fetch_add(1, std::memory_order_relaxed); }
  void CountRefused(RefusalReason reason) {
    refused_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
  }
  void CountHttpRefusal(HttpRefusal refusal) {
    http_refused_[static_cast<std::size_t>(refusal)].fetch_add(1, std::memory_order_relaxed);
  }
  // One threshold processing run: how many accounts it reported (reports written).
  void CountProcessingRun(std::uint64_t reports, bool failed);
  void ObserveRequest(std::chrono::nanoseconds latency) { request_durations_.Observe(latency); }

  std::string RenderPrometheus() const;

 private:
  const ServedBuild build_;
  const double start_time_seconds_;  // Unix time the process started serving
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> duplicates_{0};
  std::array<std::atomic<std::uint64_t>, kRefusalReasonCount> refused_{};
  std::array<std::atomic<std::uint64_t>, kHttpRefusalCount> http_refused_{};
  std::atomic<std::uint64_t> processing_runs_{0};
  std::atomic<std::uint64_t> processing_failures_{0};
  std::atomic<std::uint64_t> reports_{0};
  LatencyHistogram request_durations_;
  const StorePool* const store_;
};

}  // namespace hashveil::tools::serve
