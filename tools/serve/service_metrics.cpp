#include "service_metrics.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <utility>

#include "hashveil/common/hex.h"

namespace hashveil::tools::serve {

std::string_view RefusalReasonName(RefusalReason reason) {
  switch (reason) {
    case RefusalReason::kUnauthorized: return "unauthorized";
    case RefusalReason::kBadAccount: return "bad_account";
    case RefusalReason::kTooLarge: return "too_large";
    case RefusalReason::kMalformed: return "malformed";
    case RefusalReason::kWrongEpoch: return "wrong_epoch";
    case RefusalReason::kUnsupportedVersion: return "unsupported_version";
    case RefusalReason::kStoreUnavailable: return "store_unavailable";
  }
  return "unknown";
}

std::string_view HttpRefusalName(HttpRefusal refusal) {
  switch (refusal) {
    case HttpRefusal::kBadRequest: return "bad_request";
    case HttpRefusal::kLengthRequired: return "length_required";
    case HttpRefusal::kTimedOut: return "timed_out";
  }
  return "unknown";
}

namespace {

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// User + system CPU seconds of this process.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Resident set size in bytes (/proc/self/statm's second field, in pages); 0 if unreadable.
std::uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

ServiceMetrics::ServiceMetrics(ServedBuild build, const StorePool* store)
    : build_(std::move(build)), start_time_seconds_(UnixNow()), store_(store) {}

void ServiceMetrics::CountProcessingRun(std::uint64_t reports, bool failed) {
  processing_runs_.fetch_add(1, std::memory_order_relaxed);
  if (failed) processing_failures_.fetch_add(1, std::memory_order_relaxed);
  reports_.fetch_add(reports, std::memory_order_relaxed);
}

std::string ServiceMetrics::RenderPrometheus() const {
  std::string out;
  const auto gauge = [&out](std::string_view name, std::string_view help, std::string_view labels,
                            double value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n{0}{2} {3}\n", name, help, labels, value);
  };
  gauge("hashveil_build_info", "The hashveil version serving (always 1).",
        fmt::format("{{version=\"{}\"}}", build_.version), 1);
  gauge("hashveil_served_db_info", "The client DB served: epoch, threshold, digest (always 1).",
        fmt::format("{{epoch=\"{}\",threshold=\"{}\",digest=\"{}\"}}", build_.epoch,
                    build_.threshold, ToHex(build_.digest)),
        1);
  out += "# HELP hashveil_transition_db_accepted_until_seconds An older client DB whose vouchers "
         "are accepted until this Unix time.\n"
         "# TYPE hashveil_transition_db_accepted_until_seconds gauge\n";
  for (const ServedBuild::Transition& older : build_.transitions) {
    out += fmt::format("hashveil_transition_db_accepted_until_seconds{{epoch=\"{}\",threshold="
                       "\"{}\",digest=\"{}\"}} {}\n",
                       older.epoch, older.threshold, ToHex(older.digest), older.accepted_until);
  }
  gauge("process_start_time_seconds", "Start time of the process since the Unix epoch.", "",
        start_time_seconds_);
  out += fmt::format("# HELP process_cpu_seconds_total Total user and system CPU time spent in "
                     "seconds.\n# TYPE process_cpu_seconds_total counter\n"
                     "process_cpu_seconds_total {}\n",
                     ProcessCpuSeconds());
  gauge("process_resident_memory_bytes", "Resident memory size in bytes.", "",
        static_cast<double>(ResidentBytes()));
  const auto counter = [&out](std::string_view name, std::string_view help, std::uint64_t value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, value);
  };
  counter("hashveil_vouchers_accepted_total", "Vouchers committed to the store (new ids).",
          accepted_.load(std::memory_order_relaxed));
  counter("hashveil_vouchers_duplicate_total",
          "Vouchers whose id the account had sent before (acknowledged, counted once).",
          duplicates_.load(std::memory_order_relaxed));

  // A counter per reason: `name{reason="..."}`.
  const auto by_reason = [&out](std::string_view name, std::string_view help, const auto& counts,
                                auto reason_name) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n", name, help);
    for (std::size_t i = 0; i < counts.size(); ++i) {
      out += fmt::format("{}{{reason=\"{}\"}} {}\n", name, reason_name(i),
                         counts[i].load(std::memory_order_relaxed));
    }
  };
  by_reason("hashveil_vouchers_refused_total", "Write requests refused, by reason.", refused_,
            [](std::size_t i) { return RefusalReasonName(static_cast<RefusalReason>(i)); });
  by_reason("hashveil_http_refused_total", "Requests refused by the HTTP layer, by reason.",
            http_refused_,
            [](std::size_t i) { return HttpRefusalName(static_cast<HttpRefusal>(i)); });

  counter("hashveil_processing_runs_total", "Threshold processing runs.",
          processing_runs_.load(std::memory_order_relaxed));
  counter("hashveil_processing_failures_total", "Threshold processing runs that failed.",
          processing_failures_.load(std::memory_order_relaxed));
  counter("hashveil_reports_total", "Account reports written by threshold processing.",
          reports_.load(std::memory_order_relaxed));

  out += request_durations_.Render("hashveil_request_duration_seconds",
                                   "Time to answer an HTTP request.");
  if (store_ != nullptr) out += store_->RenderPrometheus();
  return out;
}

}  // namespace hashveil::tools::serve
