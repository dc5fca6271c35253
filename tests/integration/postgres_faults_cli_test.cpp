// Faults under load on a PostgreSQL store (issue 13), through the real binary: two `hashveil
// serve` processes share one store while four clients post vouchers to both, as a load balancer
// without account affinity would; one serve process is killed with SIGKILL and started again,
// then PostgreSQL is stopped immediately (no shutdown checkpoint, as in a crash) and started
// again. Afterwards the store holds exactly the vouchers the clients saw acknowledged, each once,
// with their candidates and dirty marks: nothing acknowledged was lost, nothing counted twice.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http_warm_up.h"
#include "pg_connection.h"
#include "postgres_cli_fixture.h"
#include "serve_fixture.h"

namespace hashveil {
namespace {

namespace fs = std::filesystem;

// The bulk: the fixture's 10 vouchers (made for "alice") sent to each of 60 accounts. A voucher
// is bound to its account, so under another one it opens nothing and only its id is stored.
constexpr int kBulkAccounts = 60;
// Accounts that scan the 4 member photos on their own devices: their vouchers add candidates.
const std::vector<std::string> kMemberAccounts = {"alice", "bob", "carol"};
constexpr std::size_t kMembers = 4;  // MakeServeFiles: the first 4 photos are DB members

// One voucher to send, to one account.
struct Send {
  std::string account;
  const std::string* voucher;
  bool member;
};

class PostgresFaultsCliTest : public testing::PostgresCliTest {
 protected:
  PostgresFaultsCliTest() : PostgresCliTest("hv-pg-faults") {}
  void SetUp() override {
    PostgresCliTest::SetUp();
    if (!HasFatalFailure()) uri_ = CreateDatabase("hv");
  }

  // Serve process `index` on `port` (0: any), its output in its own file per start.
  std::unique_ptr<testing::ChildProcess> StartServe(int index, int port) {
    std::vector<std::string> argv = testing::ServeArgv(dir_, /*with_db=*/true);
    argv[3] = uri_;                                 // after "--store"
    argv[7] = "127.0.0.1:" + std::to_string(port);  // after "--listen"
    return std::make_unique<testing::ChildProcess>(
        argv, dir_ / ("serve" + std::to_string(index) + "-" + std::to_string(++starts_) + ".out"));
  }

  // (account, count) rows of a `SELECT account, count(...) ... GROUP BY account`.
  std::map<std::string, std::int64_t> CountByAccount(const char* name, const char* sql) const {
    std::map<std::string, std::int64_t> counts;
    auto connection = psi::PgConnection::Connect(uri_);
    EXPECT_TRUE(connection.ok()) << connection.status().ToString();
    if (!connection.ok()) return counts;
    auto rows = (*connection)->Run({name, sql}, psi::PgParams(), "reading");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok()) return counts;
    for (int row = 0; row < rows->size(); ++row) counts[rows->Text(row, 0)] = *rows->Int(row, 1);
    return counts;
  }

  std::string uri_;
  int starts_ = 0;
};

TEST_F(PostgresFaultsCliTest, StoreHoldsExactlyTheAcknowledgedVouchersThroughKillAndRestart) {
  HV_REQUIRE_PINNED_PHOTOS(pinned);
  ASSERT_GE(pinned.size(), 10u);
  std::vector<std::string> bulk;
  for (const auto& name : testing::MakeServeFiles(dir_, pinned)) {
    bulk.push_back(testing::ReadText(dir_ / "vouchers" / name));
  }
  std::vector<std::string> members;  // kMembers per member account, in kMemberAccounts order
  for (const std::string& account : kMemberAccounts) {
    const std::string d = dir_.string(), out = d + "/vouchers-" + account;
    std::string photos;
    for (std::size_t i = 0; i < kMembers; ++i) photos += " '" + pinned[i].string() + "'";
    testing::RunOk(std::string(HASHVEIL_BINARY) + " scan --db " + d + "/client.hvdb --publisher " +
                   d + "/pub.key.pub --account " + d + "/" + account +
                   ".state --min-synthetic-rate 0 --out " + out + photos);
    for (std::size_t i = 0; i < kMembers; ++i) {
      members.push_back(testing::ReadText(out + "/" + pinned[i].filename().string() + ".voucher"));
    }
  }
  // The bulk in (voucher, account) order, with the member vouchers spread through it.
  std::vector<Send> sends;
  for (std::size_t i = 0; i < bulk.size() * kBulkAccounts; ++i) {
    sends.push_back({"a" + std::to_string(i % kBulkAccounts), &bulk[i / kBulkAccounts], false});
  }
  for (std::size_t i = 0; i < members.size(); ++i) {
    const auto at = sends.begin() + static_cast<std::ptrdiff_t>(i * sends.size() / members.size());
    sends.insert(at, {kMemberAccounts[i / kMembers], &members[i], true});
  }
  std::vector<std::unique_ptr<testing::ChildProcess>> serves;
  std::vector<int> ports;
  for (int i = 0; i < 2; ++i) {
    serves.push_back(StartServe(i, 0));
    ports.push_back(serves.back()->WaitForPort());
    ASSERT_GT(ports.back(), 0) << serves.back()->Output();
  }

  // Each client sends its share of `sends` until answered 2xx: on no answer (the serve process
  // died) it moves to the other port, on 503 (the store is away) it waits and sends again.
  // Every 5th is sent a second time once acknowledged: that repeat must be 200, never 201
  // (acknowledged means committed).
  const std::size_t pairs = sends.size();
  std::atomic<std::size_t> next_pair{0}, acknowledged{0};
  std::mutex mutex;
  std::map<std::string, std::int64_t> vouchers_expected, members_expected;
  std::vector<std::string> failures;
  const httplib::Headers token = {{"Authorization", std::string("Bearer ") + testing::kServeToken}};
  const auto send_until_answered = [&](std::size_t& port_index, const std::string& path,
                                       const std::string& body) {
    for (int attempt = 0; attempt < 600; ++attempt) {
      httplib::Client client("127.0.0.1", ports[port_index]);
      client.set_read_timeout(30);
      const auto answer = client.Post(path, token, body, "application/octet-stream");
      if (!answer) {
        port_index = 1 - port_index;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      } else if (answer->status == 503) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      } else {
        return answer->status;
      }
    }
    return -1;
  };
  testing::WarmUpHttpClient(ports[0]);
  std::vector<std::thread> clients;
  for (std::size_t c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      std::size_t port_index = c % 2;
      for (std::size_t pair = next_pair++; pair < pairs; pair = next_pair++) {
        const Send& send = sends[pair];
        const std::string path = "/v1/accounts/" + send.account + "/vouchers";
        const int status = send_until_answered(port_index, path, *send.voucher);
        const int repeat =
            pair % 5 == 0 ? send_until_answered(port_index, path, *send.voucher) : 200;
        std::lock_guard lock(mutex);
        if ((status != 201 && status != 200) || repeat != 200) {
          failures.push_back("pair " + std::to_string(pair) + ": " + std::to_string(status) +
                             " then " + std::to_string(repeat));
          continue;
        }
        ++vouchers_expected[send.account];
        if (send.member) ++members_expected[send.account];
        ++acknowledged;
      }
    });
  }
  const auto wait_for = [&](std::size_t count) {
    while (acknowledged < count && next_pair < pairs) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  wait_for(pairs / 3);
  serves[0]->Signal(SIGKILL);
  serves[0]->Wait();
  serves[0] = StartServe(0, ports[0]);
  EXPECT_EQ(serves[0]->WaitForPort(), ports[0]) << serves[0]->Output();
  wait_for(2 * pairs / 3);
  const bool faulted_in_load = next_pair < pairs;
  ASSERT_TRUE(server_->Stop().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(server_->Resume().ok());
  for (auto& client : clients) client.join();
  for (auto& serve : serves) serve->Signal(SIGTERM);
  for (auto& serve : serves) EXPECT_EQ(serve->Wait(), 0) << serve->Output();

  EXPECT_TRUE(failures.empty()) << failures.size() << " pairs, first: " << failures.front();
  EXPECT_TRUE(faulted_in_load) << "the load ended before the faults: make it longer";
  EXPECT_EQ(acknowledged, pairs);
  ASSERT_EQ(members_expected.size(), kMemberAccounts.size());
  EXPECT_EQ(
      CountByAccount("count_vouchers", "SELECT account, count(*) FROM vouchers GROUP BY account"),
      vouchers_expected);
  // Each member voucher added its candidates once, under its own id.
  EXPECT_EQ(CountByAccount("count_candidates",
                           "SELECT account, count(DISTINCT voucher_id) FROM candidates"
                           " GROUP BY account"),
            members_expected);
  // Every account with candidates is marked dirty: the marks committed with the vouchers.
  std::map<std::string, std::int64_t> one_mark_each;
  for (const auto& [account, members] : members_expected) one_mark_each[account] = 1;
  EXPECT_EQ(CountByAccount("count_marks",
                           "SELECT account, count(*) FROM dirty_accounts GROUP BY account"),
            one_mark_each);
}

}  // namespace
}  // namespace hashveil
