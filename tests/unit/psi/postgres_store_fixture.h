// The fixture of the PostgreSQL store's own tests: a fresh database on the shared throwaway
// server (store_backends.h), a raw connection to it, and opened vouchers to record.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pg_connection.h"
#include "store_backends.h"
#include "voucher_fixture.h"

namespace hashveil::psi::testing {

// A fresh database's URI and a store opened on it.
class PostgresShareStoreTest : public VoucherTest {
 protected:
  void SetUp() override {
    VoucherTest::SetUp();
    uri_ = FreshStoreLocation(StoreBackend::kPostgres, dir_);
  }

  std::unique_ptr<PgConnection> Connect() {
    auto connection = PgConnection::Connect(uri_);
    if (!connection.ok()) throw std::runtime_error(connection.status().ToString());
    return std::move(connection).value();
  }

  // `count` opened vouchers of distinct member images, from one account's device.
  std::vector<OpenedVoucher> Vouchers(const Client& client, std::size_t count) {
    std::vector<OpenedVoucher> opened;
    for (std::size_t i = 0; i < count; ++i) {
      auto voucher =
          client.opener->Open(Build(*client.builder, InputFor(members_[i].hash)), kAccount);
      EXPECT_TRUE(voucher.ok()) << voucher.status().ToString();
      opened.push_back(std::move(voucher).value());
    }
    return opened;
  }

  static std::unique_ptr<ShareStore> Open(const std::string& uri) {
    auto store = OpenShareStore(uri);
    if (!store.ok()) throw std::runtime_error(store.status().ToString());
    return std::move(store).value();
  }

  // Two processors (threads, each with its own store on `uri`) take the dirty buckets in turn
  // and finish every account of those they claim, as `server process` does; the accounts they
  // finished, once per finish.
  static std::multiset<std::string> FinishEveryDirtyAccountWithTwoProcessors(
      const std::string& uri) {
    std::vector<std::string> finished[2];
    std::vector<std::thread> processors;
    for (int p = 0; p < 2; ++p) {
      processors.emplace_back([&, p] {
        auto store = Open(uri);
        const auto buckets = store->DirtyBuckets().value();
        for (const std::uint32_t bucket : buckets) {
          const auto claimed = store->ClaimBucket(bucket).value();
          if (!claimed) continue;
          for (const DirtyAccount& account : claimed->accounts) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the processing
            EXPECT_TRUE(store->FinishAccount(bucket, account).ok());
            finished[p].push_back(account.counts.account);
          }
          EXPECT_TRUE(store->ReleaseBucket(bucket).ok());
        }
      });
    }
    for (auto& processor : processors) processor.join();
    std::multiset<std::string> all(finished[0].begin(), finished[0].end());
    all.insert(finished[1].begin(), finished[1].end());
    return all;
  }

  static hashdb::DbBuildOptions Options() {
    hashdb::DbBuildOptions options;
    options.threshold = 2;
    options.synthetic_rate_ppm = 0;
    options.key_scheme.probes = 4;
    return options;
  }

  std::string uri_;
};

}  // namespace hashveil::psi::testing
