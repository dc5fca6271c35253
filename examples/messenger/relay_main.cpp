// hashveil-messenger-relay: the example messenger's server (README.md). Stores end-to-end
// encrypted messages per recipient and forwards each message's safety voucher to the voucher
// service (`hashveil serve`) under the sender's account. A message is delivered only once the
// voucher service has accepted its voucher. The relay never sees an image or its hash.
#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

#include "hashveil/common/secret_file.h"
#include "relay_store.h"
#include "sealed_image.h"
#include "wire.h"

namespace messenger {
namespace {

constexpr std::size_t kMaxUploadBytes = kMaxImageBytes + (1 << 20);
constexpr std::size_t kInboxResponseBytes = std::size_t{64} << 20;
constexpr int kVoucherAttempts = 5;

struct RelayArgs {
  std::string listen_host = "127.0.0.1";
  int listen_port = 0;
  std::string data;
  std::string service_host = "127.0.0.1";
  int service_port = 0;
  std::string service_token_file;
};

std::span<const std::uint8_t> Bytes(const std::string& body) {
  return {reinterpret_cast<const std::uint8_t*>(body.data()), body.size()};
}

void Answer(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text + "\n", "text/plain");
}

// Forwards a voucher to the voucher service; true once it is accepted (201, or 200 for a
// voucher it already had). Retries while the service is busy (503) or unreachable.
bool ForwardVoucher(const RelayArgs& args, const std::string& authorization,
                    const std::string& sender, const std::vector<std::uint8_t>& voucher) {
  httplib::Client service(args.service_host, args.service_port);
  service.set_connection_timeout(5);
  service.set_read_timeout(30);
  for (int attempt = 0; attempt < kVoucherAttempts; ++attempt) {
    const auto answer = service.Post("/v1/accounts/" + sender + "/vouchers",
                                     {{"Authorization", authorization}},
                                     reinterpret_cast<const char*>(voucher.data()), voucher.size(),
                                     "application/octet-stream");
    if (answer && (answer->status == 200 || answer->status == 201)) return true;
    if (answer && answer->status != 503) return false;  // refused: retrying will not help
    std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
  }
  return false;
}

void AddRoutes(httplib::Server& http, RelayStore& store, const RelayArgs& args,
               const std::string& authorization) {
  http.Put(R"(/v1/users/([a-z0-9_-]{1,64}))", [&](const httplib::Request& req,
                                                   httplib::Response& res) {
    if (req.body.size() != kBoxPublicKeyBytes) return Answer(res, 400, "key must be 32 bytes");
    BoxPublicKey key{};
    std::copy(req.body.begin(), req.body.end(), key.begin());
    const auto registered = store.Register(req.matches[1].str(), key);
    if (registered.code() == hashveil::StatusCode::kFailedPrecondition) {
      return Answer(res, 409, "user exists with another key");
    }
    Answer(res, registered.ok() ? 201 : 500, registered.ok() ? "registered" : "storage failed");
  });

  http.Get(R"(/v1/users/([a-z0-9_-]{1,64})/key)", [&](const httplib::Request& req,
                                                       httplib::Response& res) {
    const auto key = store.PublicKey(req.matches[1].str());
    if (!key.ok()) return Answer(res, 404, "unknown user");
    res.set_content(std::string(key->begin(), key->end()), "application/octet-stream");
  });

  http.Post(R"(/v1/messages/([a-z0-9_-]{1,64}))", [&](const httplib::Request& req,
                                                       httplib::Response& res) {
    // An example relay: the sender names itself. A real one authenticates its users.
    const std::string sender = req.get_header_value("X-Messenger-User");
    const std::string recipient = req.matches[1].str();
    if (!IsValidUserName(sender)) return Answer(res, 400, "missing or bad X-Messenger-User");
    if (!store.PublicKey(recipient).ok()) return Answer(res, 404, "unknown recipient");
    auto upload = DecodeUpload(Bytes(req.body));
    if (!upload.ok()) return Answer(res, 400, "malformed upload");
    if (!ForwardVoucher(args, authorization, sender, upload->voucher)) {
      return Answer(res, 502, "the voucher service did not accept the voucher");
    }
    const auto id = store.Deliver(recipient, upload->sealed_image);
    if (!id.ok()) return Answer(res, 500, "storage failed");
    Answer(res, 201, std::to_string(*id));
  });

  http.Get(R"(/v1/inbox/([a-z0-9_-]{1,64}))", [&](const httplib::Request& req,
                                                  httplib::Response& res) {
    const auto messages = store.Inbox(req.matches[1].str(), kInboxResponseBytes);
    if (!messages.ok()) return Answer(res, 404, "unknown user");
    std::string body;
    for (const InboxMessage& message : *messages) AppendInboxMessage(message, body);
    res.set_content(std::move(body), "application/octet-stream");
  });

  http.Delete(R"(/v1/inbox/([a-z0-9_-]{1,64})/([0-9]{1,19}))", [&](const httplib::Request& req,
                                                                     httplib::Response& res) {
    const auto removed = store.Acknowledge(req.matches[1].str(), std::stoull(req.matches[2].str()));
    Answer(res, removed.ok() ? 200 : 500, removed.ok() ? "removed" : "storage failed");
  });
}

int RunRelay(const RelayArgs& args) {
  auto token = hashveil::ReadSecretFile(args.service_token_file, 0);
  if (!token.ok()) {
    std::fprintf(stderr, "relay: token file: %s\n", token.status().ToString().c_str());
    return 1;
  }
  std::string token_text(reinterpret_cast<const char*>(token->data()), token->size());
  token_text = token_text.substr(0, token_text.find_first_of("\r\n"));
  const std::string authorization = "Bearer " + token_text;
  auto store = RelayStore::Open(args.data);
  if (!store.ok()) {
    std::fprintf(stderr, "relay: %s\n", store.status().ToString().c_str());
    return 1;
  }

  sigset_t signals;  // blocked before any thread starts: only the stopper thread takes them
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  httplib::Server http;
  http.set_payload_max_length(kMaxUploadBytes);
  http.set_read_timeout(10);
  http.set_write_timeout(10);
  AddRoutes(http, **store, args, authorization);
  const int port = args.listen_port == 0 ? http.bind_to_any_port(args.listen_host)
                                         : (http.bind_to_port(args.listen_host, args.listen_port)
                                                ? args.listen_port
                                                : -1);
  if (port <= 0) {
    std::fprintf(stderr, "relay: cannot listen on the given address\n");
    return 1;
  }
  std::printf("relay: listening on %s:%d\n", args.listen_host.c_str(), port);
  std::fflush(stdout);
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    while (!stopped.load()) {  // repeated in case the signal came before listening began
      http.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  const bool served = http.listen_after_bind();
  stopped.store(true);
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  std::printf("relay: stopped\n");
  return served ? 0 : 1;
}

}  // namespace
}  // namespace messenger

int main(int argc, char** argv) {
  messenger::RelayArgs args;
  CLI::App app{"hashveil-messenger-relay: the example messenger's relay"};
  app.add_option("--host", args.listen_host, "Address to listen on")->capture_default_str();
  app.add_option("--port", args.listen_port, "Port to listen on (0: any free port)")
      ->capture_default_str();
  app.add_option("--data", args.data, "Directory for users' keys and inboxes")->required();
  app.add_option("--service-host", args.service_host, "Voucher service address")
      ->capture_default_str();
  app.add_option("--service-port", args.service_port, "Voucher service port")->required();
  app.add_option("--service-token-file", args.service_token_file,
                 "Bearer token of the voucher service")
      ->required();
  CLI11_PARSE(app, argc, argv);
  return messenger::RunRelay(args);
}
