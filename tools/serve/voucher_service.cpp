#include "voucher_service.h"

#include <httplib.h>

#include <span>

namespace hashveil::tools::serve {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kText = "text/plain; charset=utf-8";

void Answer(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body + "\n", kText);
}

int HttpStatusFor(RefusalReason reason) {
  switch (reason) {
    case RefusalReason::kUnauthorized: return 401;
    case RefusalReason::kTooLarge: return 413;
    case RefusalReason::kWrongEpoch: return 409;
    case RefusalReason::kStoreUnavailable: return 503;
    case RefusalReason::kBadAccount:
    case RefusalReason::kMalformed:
    case RefusalReason::kUnsupportedVersion: return 400;
  }
  return 400;
}

}  // namespace

VoucherService::VoucherService(const BearerToken& token, VoucherIntake& intake,
                               ThresholdScheduler* processing, ServiceMetrics& metrics,
                               const ServiceLimits& limits)
    : token_(token),
      intake_(intake),
      processing_(processing),
      metrics_(metrics),
      http_(std::make_unique<httplib::Server>()) {
  const std::size_t threads = limits.threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_read_timeout(limits.read_timeout);
  http_->set_write_timeout(limits.write_timeout);
  http_->set_keep_alive_timeout(limits.keep_alive_timeout.count());
  http_->set_keep_alive_max_count(limits.keep_alive_max_requests);
  // A voucher has one exact size: anything longer is refused before its body is read.
  http_->set_payload_max_length(intake.voucher_bytes());
  AddRoutes();
}

VoucherService::~VoucherService() = default;

void VoucherService::AddRoutes() {
  http_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    Answer(res, 200, "ok");
  });

  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });

  http_->Post(R"(/v1/accounts/([^/]+)/vouchers)",
              [this](const httplib::Request& req, httplib::Response& res) {
    const auto started = Clock::now();
    IntakeOutcome outcome{.kind = IntakeOutcome::Kind::kRefused,
                          .reason = RefusalReason::kUnauthorized};
    if (token_.Authorizes(req.get_header_value("Authorization"))) {
      const std::span<const std::uint8_t> body(
          reinterpret_cast<const std::uint8_t*>(req.body.data()), req.body.size());
      outcome = intake_.Submit(req.matches[1].str(), body);
    }
    switch (outcome.kind) {
      case IntakeOutcome::Kind::kAccepted:
        metrics_.CountAccepted(outcome.candidate);
        Answer(res, 201, "accepted");
        break;
      case IntakeOutcome::Kind::kDuplicate:
        metrics_.CountDuplicate();
        Answer(res, 200, "accepted before");
        break;
      case IntakeOutcome::Kind::kRefused:
        metrics_.CountRefused(outcome.reason);
        if (outcome.reason == RefusalReason::kUnauthorized) {
          res.set_header("WWW-Authenticate", "Bearer");
        }
        if (outcome.reason == RefusalReason::kStoreUnavailable) res.set_header("Retry-After", "1");
        Answer(res, HttpStatusFor(outcome.reason),
               "refused: " + std::string(RefusalReasonName(outcome.reason)));
        break;
    }
    metrics_.ObserveRequest(Clock::now() - started);
  });

  http_->Post("/v1/process", [this](const httplib::Request& req, httplib::Response& res) {
    if (!token_.Authorizes(req.get_header_value("Authorization"))) {
      res.set_header("WWW-Authenticate", "Bearer");
      Answer(res, 401, "refused: unauthorized");
      return;
    }
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

  // httplib answers an oversized body with 413 before any handler runs: count it here.
  http_->set_error_handler([this](const httplib::Request&, httplib::Response& res) {
    if (res.status == 413) metrics_.CountRefused(RefusalReason::kTooLarge);
  });
}

Result<int> VoucherService::Bind(const std::string& host, int port) {
  const int bound = port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port)
                                                                     ? port
                                                                     : -1);
  if (bound <= 0) return Status::IoError("cannot listen on the --listen address");
  return bound;
}

Status VoucherService::Run() {
  if (!http_->listen_after_bind()) return Status::IoError("the HTTP listener failed");
  return Status::Ok();
}

void VoucherService::Stop() { http_->stop(); }

}  // namespace hashveil::tools::serve
