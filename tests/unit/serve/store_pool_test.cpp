// The service's share store connections: never more open than the limit, a user that finds them
// all in use waits for one given back or gets kResourceExhausted after the wait (serve answers
// 503), and /metrics's store series count what happened.
#include "store_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "support/test_paths.h"

namespace hashveil::tools::serve {
namespace {

using std::chrono::milliseconds;

class StorePoolTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ::hashveil::testing::FreshDirForCurrentTest("hv-store-pool"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Store() const { return (dir_ / "server.sqlite").string(); }
  std::filesystem::path dir_;
};

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(StorePoolTest, NeverOpensMoreThanTheLimitAndTimesOutAWaitWithNoneGivenBack) {
  StorePool pool(Store(), /*max_connections=*/2, milliseconds(50));
  auto first = pool.Acquire();
  auto second = pool.Acquire();
  ASSERT_TRUE(first.ok() && second.ok());
  const auto third = pool.Acquire();
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  const std::string metrics = pool.RenderPrometheus();
  EXPECT_TRUE(Contains(metrics, "hashveil_store_info{backend=\"sqlite\"} 1\n")) << metrics;
  EXPECT_TRUE(Contains(metrics, "hashveil_store_connections{state=\"in_use\"} 2\n")) << metrics;
  EXPECT_TRUE(Contains(metrics, "hashveil_store_connections_max 2\n")) << metrics;
  EXPECT_TRUE(Contains(metrics, "hashveil_store_connection_waits_total 1\n")) << metrics;
  EXPECT_TRUE(Contains(metrics, "hashveil_store_connection_wait_timeouts_total 1\n")) << metrics;
}

TEST_F(StorePoolTest, AWaitingUserGetsTheConnectionGivenBack) {
  StorePool pool(Store(), /*max_connections=*/1, std::chrono::seconds(30));
  std::optional<StorePool::Lease> held;
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease.ok());
    held.emplace(std::move(lease).value());
  }
  const psi::ShareStore* given = &**held;
  std::thread giver([&] {
    std::this_thread::sleep_for(milliseconds(100));
    held.reset();
  });
  auto waited = pool.Acquire();  // blocks until the giver's lease ends
  giver.join();
  ASSERT_TRUE(waited.ok()) << waited.status().ToString();
  EXPECT_EQ(&**waited, given);  // the same connection: no second one was opened
  const std::string metrics = pool.RenderPrometheus();
  EXPECT_TRUE(Contains(metrics, "hashveil_store_connection_waits_total 1\n")) << metrics;
  EXPECT_TRUE(Contains(metrics, "hashveil_store_connection_wait_timeouts_total 0\n")) << metrics;
  EXPECT_TRUE(Contains(metrics, "hashveil_store_connections{state=\"idle\"} 0\n")) << metrics;
}

TEST_F(StorePoolTest, AFailedOpenDoesNotUseUpTheLimit) {
  StorePool pool((dir_ / "missing-folder" / "server.sqlite").string(), /*max_connections=*/1,
                 milliseconds(50));
  for (int i = 0; i < 3; ++i) {
    const auto lease = pool.Acquire();
    ASSERT_FALSE(lease.ok());
    EXPECT_NE(lease.status().code(), StatusCode::kResourceExhausted) << lease.status().ToString();
  }
  EXPECT_TRUE(
      Contains(pool.RenderPrometheus(), "hashveil_store_connection_open_failures_total 3\n"));
}

TEST_F(StorePoolTest, CommitsAreCountedWithTheirVouchersAndDurations) {
  StorePool pool(Store());
  pool.ObserveCommit(milliseconds(3), 5, /*committed=*/true);
  pool.ObserveCommit(milliseconds(30), 2, /*committed=*/true);
  pool.ObserveCommit(milliseconds(2), 4, /*committed=*/false);
  const std::string metrics = pool.RenderPrometheus();
  EXPECT_TRUE(Contains(metrics, "hashveil_store_commits_total 2\n")) << metrics;
  EXPECT_TRUE(Contains(metrics, "hashveil_store_committed_vouchers_total 7\n")) << metrics;
  EXPECT_TRUE(Contains(metrics, "hashveil_store_commit_failures_total 1\n")) << metrics;
  EXPECT_TRUE(Contains(metrics, "hashveil_store_commit_duration_seconds_bucket{le=\"0.005\"} 2\n"))
      << metrics;
  EXPECT_TRUE(Contains(metrics, "hashveil_store_commit_duration_seconds_count 3\n")) << metrics;
}

}  // namespace
}  // namespace hashveil::tools::serve
