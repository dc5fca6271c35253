#include "bounded_http_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>

#include "deadline_stream.h"

namespace hashveil::tools::serve {
namespace {

using Clock = DeadlineStream::Clock;

// Set on a request whose body is refused (the status to answer); the pre-routing handler answers
// it without reading the body. A client's own header of this name is removed first.
constexpr const char* kRefusalMark = "X-Hashveil-Refused-Body";

std::chrono::microseconds Duration(time_t sec, time_t usec) {
  return std::chrono::seconds(sec) + std::chrono::microseconds(usec);
}

bool IsDecimal(std::string_view text) {
  return !text.empty() && text.size() <= 19 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void AnswerText(httplib::Response& res, int status, std::string_view text) {
  res.status = status;
  res.set_content(std::string(text) + "\n", "text/plain; charset=utf-8");
}

}  // namespace

BoundedHttpServer::BoundedHttpServer(std::chrono::milliseconds request_timeout,
                                     ServiceMetrics& metrics)
    : request_timeout_(request_timeout), metrics_(metrics) {
  set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    const std::string refused = req.get_header_value(kRefusalMark);
    if (refused.empty()) return HandlerResponse::Unhandled;
    if (refused == "411") {
      AnswerText(res, 411, "refused: length required (chunked bodies are not read)");
    } else if (refused == "413") {
      AnswerText(res, 413, "refused: too_large");
    } else {
      AnswerText(res, 400, "refused: bad request");
    }
    return HandlerResponse::Handled;
  });
  // httplib's own refusals of a request (unparsable, a body cut short, a path over 8 KiB) come
  // without a body; the answers of handlers and of the body policy have one and are counted where
  // they are made.
  set_error_handler(HandlerWithResponse([this](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty() || (res.status != 400 && res.status != 414)) {
      return HandlerResponse::Unhandled;
    }
    metrics_.CountHttpRefusal(HttpRefusal::kBadRequest);
    AnswerText(res, res.status, "refused: bad request");
    return HandlerResponse::Handled;
  }));
}

bool BoundedHttpServer::WidenListenBacklog() { return ::listen(svr_sock_, SOMAXCONN) == 0; }

bool BoundedHttpServer::RefuseUnreadableBody(httplib::Request& request) {
  request.headers.erase(kRefusalMark);
  const auto refuse = [&request](const char* status) {
    request.set_header(kRefusalMark, status);
    return true;
  };
  if (request.has_header("Transfer-Encoding")) {
    metrics_.CountHttpRefusal(HttpRefusal::kLengthRequired);
    return refuse("411");
  }
  const std::size_t lengths = request.get_header_value_count("Content-Length");
  if (lengths == 0) {
    request.set_header("Content-Length", "0");  // no declared length: no body
    return false;
  }
  const std::string length = request.get_header_value("Content-Length");
  if (lengths > 1 || !IsDecimal(length)) {
    metrics_.CountHttpRefusal(HttpRefusal::kBadRequest);
    return refuse("400");
  }
  if (std::stoull(length) > payload_max_length_) {
    metrics_.CountRefused(RefusalReason::kTooLarge);
    return refuse("413");
  }
  return false;
}

bool BoundedHttpServer::process_and_close_socket(socket_t sock) {
  const auto started = Clock::now();
  DeadlineStream stream(sock, Duration(read_timeout_sec_, read_timeout_usec_),
                        Duration(write_timeout_sec_, write_timeout_usec_));
  const auto serving = [this] { return svr_sock_ != INVALID_SOCKET; };
  const auto keep_alive = std::chrono::seconds(keep_alive_timeout_sec_);
  // The first request's time runs from the connection's start: an idle connection counts too.
  stream.SetDeadline(started + request_timeout_);
  bool answered = false;
  for (std::size_t served = 0; served < keep_alive_max_count_; ++served) {
    if (served > 0) stream.SetDeadline(Clock::time_point::max());
    if (!stream.AwaitData(Clock::now() + keep_alive, serving)) break;
    if (served > 0) stream.SetDeadline(Clock::now() + request_timeout_);
    bool client_closes = false;
    bool parsed = false;  // httplib calls the setup callback only on a request it could parse
    bool body_refused = false;
    answered = process_request(stream, served + 1 == keep_alive_max_count_, client_closes,
                               [&](httplib::Request& req) {
                                 parsed = true;
                                 body_refused = RefuseUnreadableBody(req);
                               });
    // After a request that could not be parsed, the next one's start cannot be found either.
    if (stream.expired() || !answered || client_closes || !parsed || body_refused) break;
  }
  if (stream.expired()) metrics_.CountHttpRefusal(HttpRefusal::kTimedOut);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return answered;
}

}  // namespace hashveil::tools::serve
