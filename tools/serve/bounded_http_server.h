// cpp-httplib's server with the bounds a service facing untrusted clients needs and httplib 0.11
// lacks on its own:
//   - a whole request (request line, headers, body) must arrive within `request_timeout` of its
//     first byte (of the connection's start, for the first request). httplib alone bounds each
//     read, so a client sending a byte per read timeout would hold a connection thread for hours.
//     A request that misses its deadline ends its connection.
//   - bodies are read only when their length is declared and within the payload limit: a chunked
//     body is refused with 411 and a longer one with 413, before any of it is read (httplib reads
//     chunked bodies, and bodies without a length, into memory without limit). A request without
//     Content-Length has no body (RFC 9112). A refused body ends its connection.
// Refusals are counted in ServiceMetrics; the payload limit is httplib's set_payload_max_length.
// Installs its own pre-routing and error handlers: do not replace them.
#pragma once

#include <httplib.h>

#include <chrono>

#include "service_metrics.h"

namespace hashveil::tools::serve {

class BoundedHttpServer : public httplib::Server {
 public:
  // `metrics` must outlive the server.
  BoundedHttpServer(std::chrono::milliseconds request_timeout, ServiceMetrics& metrics);

  // After bind_to_port/bind_to_any_port: lets the kernel queue up to SOMAXCONN connections not
  // yet accepted. httplib 0.11 listens with a backlog of 5, so a burst of new connections would
  // see dropped handshakes and retries of a second or more. False if the socket refused.
  bool WidenListenBacklog();

 private:
  // httplib calls this on a pool thread for each accepted connection; it serves the connection's
  // requests through a stream that enforces the request deadline.
  bool process_and_close_socket(socket_t sock) override;

  // Decides, once a request's headers are parsed, whether its body may be read. A refused request
  // is marked for the pre-routing handler, which answers it unread. True when it was refused.
  bool RefuseUnreadableBody(httplib::Request& request);

  const std::chrono::milliseconds request_timeout_;
  ServiceMetrics& metrics_;
};

}  // namespace hashveil::tools::serve
