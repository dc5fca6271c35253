// The fixture of the PostgreSQL store's own tests: a fresh database on the shared throwaway
// server (store_backends.h), a raw connection to it, and opened vouchers to record.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
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
