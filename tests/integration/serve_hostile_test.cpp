// `hashveil serve` as a real process against hostile HTTP clients: slow and idle connections
// beyond --threads and beyond --max-connections, bodies that lie about their size, malformed
// request lines, paths and tokens, and many connections at once. After each the service still
// answers, the refusals are counted in /metrics, and nothing refused is stored. Small timeouts
// (--request-timeout 1) keep the whole suite to a few seconds.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "serve_fixture.h"
#include "serve_process.h"
#include "support/test_paths.h"

namespace hashveil::testing {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kThreads = 2;
constexpr int kMaxConnections = 12;

// A raw TCP connection to the service, for requests no well-behaved client would send.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  // False once the server has closed the connection (or it failed).
  bool Send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // Everything the server sends until it closes the connection or `wait` passes.
  std::string ReadUntilClosed(std::chrono::milliseconds wait) {
    std::string received;
    const auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
      pollfd fd{.fd = fd_, .events = POLLIN, .revents = 0};
      if (::poll(&fd, 1, 50) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      received.append(buffer, static_cast<std::size_t>(n));
    }
    return received;
  }
  bool closed() const { return closed_; }

 private:
  int fd_;
  bool connected_ = false;
  bool closed_ = false;
};

std::string StatusLine(const std::string& answer) { return answer.substr(0, answer.find('\r')); }

class ServeHostileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("hv-serve-hostile-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const auto photos = PinnedPhotos();
    if (photos.size() < 10) return;
    const auto names = MakeServeFiles(dir_, photos);
    voucher_ = ReadText(dir_ / "vouchers" / names[0]);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  void SetUp() override {
    HV_REQUIRE_PINNED_PHOTOS(photos);
    fs::remove_all(dir_ / "store");
    fs::create_directories(dir_ / "store");
    std::vector<std::string> argv = ServeArgv(dir_, true);
    const std::vector<std::string> limits = {
        "--threads", std::to_string(kThreads), "--max-connections", std::to_string(kMaxConnections),
        "--request-timeout", "1", "--read-timeout", "1"};
    argv.insert(argv.end(), limits.begin(), limits.end());
    serve_ = std::make_unique<ChildProcess>(argv, dir_ / "serve.out");
    port_ = serve_->WaitForPort();
    ASSERT_GT(port_, 0) << serve_->Output();
  }

  void TearDown() override {
    if (!serve_) return;
    serve_->Signal(SIGTERM);
    const int status = serve_->Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << serve_->Output();
  }

  std::unique_ptr<httplib::Client> Client() const {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client->set_read_timeout(10, 0);  // generous: an answer, not its speed, is what is checked
    return client;
  }
  int Healthz() const {
    const auto answer = Client()->Get("/healthz");
    return answer ? answer->status : -1;
  }
  int PostVoucher(const std::string& account) const {
    const auto answer = Client()->Post("/v1/accounts/" + account + "/vouchers",
                                       {{"Authorization", std::string("Bearer ") + kServeToken}},
                                       voucher_, "application/octet-stream");
    return answer ? answer->status : -1;
  }
  // The value of the metric line `name` (with its labels), or -1.
  long Metric(const std::string& name) const {
    const auto answer =
        Client()->Get("/metrics", {{"Authorization", std::string("Bearer ") + kServeToken}});
    if (!answer) return -1;
    const std::size_t at = answer->body.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stol(answer->body.substr(at + name.size() + 2));
  }
  // Sends `request` on a fresh connection; the server's answer (status line first).
  std::string RawExchange(const std::string& request) const {
    RawConnection connection(port_);
    EXPECT_TRUE(connection.connected());
    connection.Send(request);
    return connection.ReadUntilClosed(3s);
  }
  std::string VoucherHead(std::size_t length, const std::string& extra = "") const {
    return "POST /v1/accounts/alice/vouchers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
           std::string(kServeToken) + "\r\nContent-Length: " + std::to_string(length) + "\r\n" +
           extra + "\r\n";
  }

  static fs::path dir_;
  static std::string voucher_;
  std::unique_ptr<ChildProcess> serve_;
  int port_ = 0;
};
fs::path ServeHostileTest::dir_;
std::string ServeHostileTest::voucher_;

TEST_F(ServeHostileTest, SlowClientsBeyondTheThreadsDoNotHoldTheService) {
  // 4 idle connections and 4 that send a request's head a byte at a time, 4x --threads in all.
  std::vector<std::unique_ptr<RawConnection>> idle, dribbling;
  for (int i = 0; i < 4; ++i) idle.push_back(std::make_unique<RawConnection>(port_));
  for (int i = 0; i < 4; ++i) dribbling.push_back(std::make_unique<RawConnection>(port_));
  std::atomic<bool> stop{false};
  std::atomic<int> cut{0};
  std::thread dribbler([&] {
    const std::string head = VoucherHead(voucher_.size());
    std::vector<bool> open(dribbling.size(), true);
    for (std::size_t byte = 0; !stop && byte < head.size(); ++byte) {
      for (std::size_t i = 0; i < dribbling.size(); ++i) {
        if (open[i] && !dribbling[i]->Send(head.substr(byte, 1))) {
          open[i] = false;
          ++cut;
        }
      }
      std::this_thread::sleep_for(100ms);
    }
  });
  std::this_thread::sleep_for(200ms);  // the slow connections are accepted and waiting
  EXPECT_EQ(Healthz(), 200);
  EXPECT_EQ(PostVoucher("alice"), 201);

  // Each slow connection is closed at its request deadline (1 s): the idle ones with nothing
  // said, the dribbling ones (whose head would take ~14 s at this pace) mid-head.
  for (auto& connection : idle) {
    connection->ReadUntilClosed(5s);
    EXPECT_TRUE(connection->closed());
  }
  for (int waited = 0; cut < 4 && waited < 50; ++waited) std::this_thread::sleep_for(100ms);
  stop = true;
  dribbler.join();
  EXPECT_EQ(cut, 4);
  EXPECT_EQ(Metric("hashveil_http_refused_total{reason=\"timed_out\"}"), 8);
  EXPECT_EQ(Metric("hashveil_vouchers_accepted_total"), 1);
  EXPECT_EQ(Healthz(), 200);
}

TEST_F(ServeHostileTest, IdleConnectionsBeyondMaxConnectionsDelayOthersOnlyUntilTheirDeadline) {
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 2 * kMaxConnections; ++i) idle.push_back(std::make_unique<RawConnection>(port_));
  std::this_thread::sleep_for(200ms);
  // Queued behind 2 rounds of idle connections, each cut after 1 s.
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(Healthz(), 200);
  EXPECT_EQ(PostVoucher("alice"), 201);
  const auto waited = std::chrono::steady_clock::now() - started;
  std::printf("healthz + voucher behind %d idle connections: %.2f s\n", 2 * kMaxConnections,
              std::chrono::duration<double>(waited).count());
  for (auto& connection : idle) {
    connection->ReadUntilClosed(5s);
    EXPECT_TRUE(connection->closed());
  }
  EXPECT_EQ(Metric("hashveil_http_refused_total{reason=\"timed_out\"}"), 2 * kMaxConnections);
}

TEST_F(ServeHostileTest, BodiesThatLieAboutTheirSizeAreRefusedUnread) {
  // A length far above a voucher's, the body never sent: refused at once, connection closed.
  std::string answer = RawExchange(VoucherHead(1'000'000'000));
  EXPECT_EQ(StatusLine(answer), "HTTP/1.1 413 Payload Too Large") << answer;
  // A chunked body (httplib would read it into memory without limit).
  answer = RawExchange("POST /v1/accounts/alice/vouchers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                       std::string(kServeToken) + "\r\nTransfer-Encoding: chunked\r\n\r\n" +
                       "FFFFFFFF\r\n" + std::string(10000, 'x'));
  EXPECT_EQ(StatusLine(answer), "HTTP/1.1 411 Length Required") << answer;
  // Two lengths, or one that is not a number.
  answer = RawExchange(VoucherHead(voucher_.size(), "Content-Length: 5\r\n") + voucher_);
  EXPECT_EQ(StatusLine(answer), "HTTP/1.1 400 Bad Request") << answer;
  answer = RawExchange("POST /v1/accounts/alice/vouchers HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n");
  EXPECT_EQ(StatusLine(answer), "HTTP/1.1 400 Bad Request") << answer;
  // A body shorter than declared: cut at the request deadline, never stored.
  answer = RawExchange(VoucherHead(voucher_.size()) + voucher_.substr(0, voucher_.size() / 2));
  EXPECT_EQ(StatusLine(answer), "HTTP/1.1 400 Bad Request") << answer;
  // A body longer than declared: the declared voucher is taken, the rest is a bad next request.
  answer = RawExchange(VoucherHead(voucher_.size()) + voucher_ + "trailing bytes\r\n\r\n");
  EXPECT_EQ(StatusLine(answer), "HTTP/1.1 201 Created") << answer;
  EXPECT_NE(answer.find("HTTP/1.1 400 Bad Request"), std::string::npos) << answer;

  EXPECT_EQ(Metric("hashveil_vouchers_refused_total{reason=\"too_large\"}"), 1);
  EXPECT_EQ(Metric("hashveil_http_refused_total{reason=\"length_required\"}"), 1);
  EXPECT_EQ(Metric("hashveil_http_refused_total{reason=\"timed_out\"}"), 1);
  EXPECT_EQ(Metric("hashveil_vouchers_accepted_total"), 1);
  EXPECT_EQ(Healthz(), 200);
}

TEST_F(ServeHostileTest, MalformedRequestLinesAndPathsAreRefused) {
  const auto post_to = [&](const std::string& target) {
    return StatusLine(RawExchange("POST " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                  std::string(kServeToken) + "\r\nContent-Length: " +
                                  std::to_string(voucher_.size()) + "\r\nConnection: close\r\n\r\n" +
                                  voucher_));
  };
  EXPECT_EQ(post_to("/v1/accounts/" + std::string(10000, 'a') + "/vouchers"), "HTTP/1.1 414 URI Too Long");
  EXPECT_EQ(post_to("/v1/accounts/" + std::string(200, 'a') + "/vouchers"), "HTTP/1.1 400 Bad Request");
  for (const char* account : {"..", "%2e%2e", ".hidden", "a%00b", "%C3%A9t%C3%A9", "\xc3\xa9t\xc3\xa9", "a%20b",
                              "%"}) {
    SCOPED_TRACE(account);
    EXPECT_EQ(post_to(std::string("/v1/accounts/") + account + "/vouchers"), "HTTP/1.1 400 Bad Request");
  }
  for (const char* target : {"/v1/accounts/a%2Fb/vouchers", "/v1/accounts//vouchers", "/v1/accounts/../../vouchers"}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(post_to(target), "HTTP/1.1 404 Not Found");
  }
  // A NUL in the request line, a request line that is no request line, a bare line feed, an
  // unknown HTTP version.
  const std::vector<std::string> requests = {
      std::string("GET /healthz\0 HTTP/1.1\r\n\r\n", 27), "HELLO\r\n\r\n", "\n\n",
      "GET /healthz HTTP/9.9\r\n\r\n"};
  for (const std::string& request : requests) {
    const std::string answer = StatusLine(RawExchange(request));
    EXPECT_TRUE(answer == "HTTP/1.1 400 Bad Request" || answer == "HTTP/1.1 404 Not Found" || answer.empty())
        << answer << " for " << request;
  }
  EXPECT_EQ(Metric("hashveil_vouchers_accepted_total"), 0);
  EXPECT_GE(Metric("hashveil_vouchers_refused_total{reason=\"bad_account\"}"), 9);
  EXPECT_EQ(Healthz(), 200);
}

TEST_F(ServeHostileTest, BadTokensAreRefused) {
  const auto exchange = [&](const std::string& authorization_line) {
    return StatusLine(RawExchange("POST /v1/accounts/alice/vouchers HTTP/1.1\r\nHost: x\r\n" +
                                  authorization_line + "Content-Length: " + std::to_string(voucher_.size()) +
                                  "\r\nConnection: close\r\n\r\n" + voucher_));
  };
  const std::string token = kServeToken;
  int unauthorized = 0;
  const std::vector<std::string> lines = {
       "", "Authorization: Basic " + token + "\r\n", "Authorization: Bearer\r\n",
        "Authorization: Bearer  " + token + "\r\n", "Authorization: Bearer " + token + "x\r\n",
        "Authorization: Bearer " + std::string(4000, 'A') + "\r\n",
        "Authorization: Bearer t\xc3\xb6k\xc3\xa9n-0123456789abcdef\r\n",
        "Authorization: Bearer " + token.substr(0, token.size() - 1) + "\r\n"};
  for (const std::string& line : lines) {
    SCOPED_TRACE(line);
    EXPECT_EQ(exchange(line), "HTTP/1.1 401 Unauthorized");
    ++unauthorized;
  }
  // A header over httplib's 8 KiB line limit is not a request at all.
  EXPECT_EQ(exchange("Authorization: Bearer " + std::string(9000, 'A') + "\r\n"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(Metric("hashveil_vouchers_refused_total{reason=\"unauthorized\"}"), unauthorized);
  EXPECT_EQ(Metric("hashveil_vouchers_accepted_total"), 0);
  EXPECT_EQ(Healthz(), 200);
}

TEST_F(ServeHostileTest, ManyConnectionsAtOnceAreAllAnswered) {
  constexpr int kClients = 4 * kMaxConnections;
  std::vector<int> statuses(kClients, 0);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    // 503 is the service's "store busy, retry" (docs/service.md): a client retries it.
    clients.emplace_back([&, i] {
      for (int attempt = 0; attempt < 50; ++attempt) {
        statuses[i] = PostVoucher("acct" + std::to_string(i));
        if (statuses[i] != 503) break;
        std::this_thread::sleep_for(100ms);
      }
    });
  }
  for (auto& client : clients) client.join();
  for (int i = 0; i < kClients; ++i) EXPECT_EQ(statuses[i], 201) << i;
  EXPECT_EQ(Metric("hashveil_vouchers_accepted_total"), kClients);
  EXPECT_EQ(Healthz(), 200);
}

}  // namespace
}  // namespace hashveil::testing
