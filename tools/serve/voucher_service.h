// The voucher service's HTTP surface (docs/service.md):
//   POST /v1/accounts/{account}/vouchers   binary voucher body, bearer token;
//                                          201 accepted (committed), 200 already had it,
//                                          400/401/409/413 refused, 503 store busy (retry)
//   POST /v1/process                       bearer token; runs threshold processing now and
//                                          answers its summary lines (503 when not configured)
//   GET  /healthz                          200 "ok epoch=N threshold=T" (and "previous=E
//                                          until=U" while an older epoch is accepted) when the
//                                          share store answers; 503 "unavailable: ..." if not
//   GET  /metrics                          bearer token; Prometheus text
// The answer to a voucher never says whether it opened, nor whether opening found it
// inconsistent: only the public checks refuse (docs/protocol.md, "One answer for every voucher").
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bearer_token.h"
#include "concurrency_limit.h"
#include "hashveil/common/status.h"
#include "service_metrics.h"
#include "threshold_scheduler.h"
#include "voucher_endpoint.h"
#include "voucher_intake.h"

namespace hashveil::tools::serve {

class BoundedHttpServer;

// Bounds that keep slow or hostile clients from holding the service (docs/service.md).
struct ServiceLimits {
  std::size_t threads = 8;                       // vouchers opened and committed at once
  std::size_t max_connections = 128;             // connections served at once (one thread each)
  std::chrono::seconds request_timeout{10};      // to receive a whole request (slowloris)
  std::chrono::seconds read_timeout{5};          // per read of a request (slow senders)
  std::chrono::seconds write_timeout{5};         // per write of an answer (slow readers)
  std::chrono::seconds keep_alive_timeout{5};    // idle keep-alive connection
  std::size_t keep_alive_max_requests = 1000;
};

// Run blocks on the calling thread; Stop may be called from any other thread.
class VoucherService {
 public:
  // `processing` may be null (no --sources/--reports): POST /v1/process then answers 503.
  // `health` is what GET /healthz checks (the share store answering and serving its DBs): the
  // served DBs, newest first, or the reason it cannot serve. Every referenced object must outlive
  // the service.
  using HealthCheck = std::function<Result<std::vector<psi::ServedDb>>()>;
  VoucherService(const BearerToken& token, VoucherIntake& intake, ThresholdScheduler* processing,
                 ServiceMetrics& metrics, const ServiceLimits& limits, HealthCheck health);
  ~VoucherService();
  VoucherService(const VoucherService&) = delete;
  VoucherService& operator=(const VoucherService&) = delete;

  // Binds `host:port` (port 0: any free port). kIoError when the address cannot be bound.
  Result<int> Bind(const std::string& host, int port);
  // Serves until Stop; requests in progress are finished first. kIoError if serving failed.
  Status Run();
  void Stop();

 private:
  void AddRoutes();

  const BearerToken& token_;
  VoucherEndpoint vouchers_;
  ConcurrencyLimit voucher_work_;
  ThresholdScheduler* processing_;
  ServiceMetrics& metrics_;
  const HealthCheck health_;
  std::unique_ptr<BoundedHttpServer> http_;
};

}  // namespace hashveil::tools::serve
