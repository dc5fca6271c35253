#include "voucher_service.h"

#include <httplib.h>

#include <span>

#include "bounded_http_server.h"
#include "served_db.h"

namespace hashveil::tools::serve {
namespace {

constexpr const char* kText = "text/plain; charset=utf-8";

void Answer(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body + "\n", kText);
}

// True for a request with the bearer token; otherwise answers it 401 and returns false.
bool Authorized(const BearerToken& token, const httplib::Request& req, httplib::Response& res) {
  if (token.Authorizes(req.get_header_value("Authorization"))) return true;
  res.set_header("WWW-Authenticate", "Bearer");
  Answer(res, 401, "refused: unauthorized");
  return false;
}

// "ok epoch=N threshold=T" for the current DB, then "previous=E until=U" for an older one whose
// vouchers are still accepted.
std::string HealthLine(const std::vector<psi::ServedDb>& served, std::int64_t now) {
  const psi::ServedDbParams& current = served.front().params;
  std::string line = "ok epoch=" + std::to_string(current.shape.epoch) +
                     " threshold=" + std::to_string(current.threshold);
  for (std::size_t i = 1; i < served.size(); ++i) {
    if (!served[i].AcceptsVouchersAt(now)) continue;
    line += " previous=" + std::to_string(served[i].params.shape.epoch) +
            " until=" + std::to_string(served[i].accepted_until.value_or(0));
  }
  return line;
}

}  // namespace

VoucherService::VoucherService(const BearerToken& token, VoucherIntake& intake,
                               ThresholdScheduler* processing, ServiceMetrics& metrics,
                               const ServiceLimits& limits, HealthCheck health)
    : token_(token),
      vouchers_(token, intake, metrics),
      voucher_work_(limits.threads),
      processing_(processing),
      metrics_(metrics),
      health_(std::move(health)),
      http_(std::make_unique<BoundedHttpServer>(limits.request_timeout, metrics)) {
  // A thread per connection, so slow clients wait on their own threads; the voucher work itself
  // is limited to `threads` at once (voucher_work_).
  const std::size_t connections = limits.max_connections;
  http_->new_task_queue = [connections] { return new httplib::ThreadPool(connections); };
  http_->set_read_timeout(limits.read_timeout);
  http_->set_write_timeout(limits.write_timeout);
  http_->set_keep_alive_timeout(limits.keep_alive_timeout.count());
  http_->set_keep_alive_max_count(limits.keep_alive_max_requests);
  // A voucher has one exact size: anything longer is refused before its body is read
  // (BoundedHttpServer).
  http_->set_payload_max_length(intake.voucher_bytes());
  AddRoutes();
}

VoucherService::~VoucherService() = default;

void VoucherService::AddRoutes() {
  // For load balancers and on-call: whether the share store answers and which DB it serves
  // (public: the DB ships to every device).
  http_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    const auto served = health_();
    if (!served.ok()) {
      res.set_header("Retry-After", "1");
      Answer(res, 503, "unavailable: share store: " + served.status().ToString());
      return;
    }
    if (served->empty()) {
      res.set_header("Retry-After", "1");
      Answer(res, 503, "unavailable: share store: serves no DB");
      return;
    }
    Answer(res, 200, HealthLine(*served, UnixNow()));
  });

  // Behind the token: the counters are the operator's (docs/service.md); an unauthenticated
  // reader must not watch them move request by request.
  http_->Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    if (!Authorized(token_, req, res)) return;
    res.set_content(metrics_.RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });

  http_->Post(kVoucherRoute, [this](const httplib::Request& req, httplib::Response& res) {
    const std::span<const std::uint8_t> body(
        reinterpret_cast<const std::uint8_t*>(req.body.data()), req.body.size());
    const ConcurrencyLimit::Permit permit(voucher_work_);
    const VoucherAnswer answer = vouchers_.Handle(req.path, req.get_header_value("Authorization"), body);
    if (answer.challenge) res.set_header("WWW-Authenticate", "Bearer");
    if (answer.retry_after) res.set_header("Retry-After", "1");
    Answer(res, answer.status, answer.text);
  });

  http_->Post("/v1/process", [this](const httplib::Request& req, httplib::Response& res) {
    if (!Authorized(token_, req, res)) return;
    if (processing_ == nullptr) {
      Answer(res, 503, "threshold processing is not configured (--sources and --reports)");
      return;
    }
    const auto summary = processing_->RunNow();
    if (!summary.ok()) {
      Answer(res, 500, "threshold processing failed: " + summary.status().ToString());
      return;
    }
    res.status = 200;
    res.set_content(summary->lines, kText);
  });
}

Result<int> VoucherService::Bind(const std::string& host, int port) {
  const int bound = port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port)
                                                                     ? port
                                                                     : -1);
  if (bound <= 0 || !http_->WidenListenBacklog()) {
    return Status::IoError("cannot listen on the --listen address");
  }
  return bound;
}

Status VoucherService::Run() {
  if (!http_->listen_after_bind()) return Status::IoError("the HTTP listener failed");
  return Status::Ok();
}

void VoucherService::Stop() { http_->stop(); }

}  // namespace hashveil::tools::serve
