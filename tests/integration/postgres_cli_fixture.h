// For the tests that run the real binary against PostgreSQL stores: a folder of the test's own
// and a throwaway PostgreSQL server (tests/support/postgres_server.h), both gone afterwards.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "support/postgres_server.h"
#include "support/test_paths.h"

namespace hashveil::testing {

class PostgresCliTest : public ::testing::Test {
 protected:
  // `dir_prefix` names the test's folder (FreshDirForCurrentTest).
  explicit PostgresCliTest(std::string dir_prefix) : dir_prefix_(std::move(dir_prefix)) {}

  void SetUp() override {
    dir_ = FreshDirForCurrentTest(dir_prefix_);
    auto server = PostgresServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The URI of a new database `name` on the test's server; "" after a failure.
  std::string CreateDatabase(const std::string& name) {
    auto uri = server_->CreateDatabase(name);
    EXPECT_TRUE(uri.ok()) << uri.status().ToString();
    return uri.ok() ? *uri : "";
  }

  std::filesystem::path dir_;
  std::unique_ptr<PostgresServer> server_;

 private:
  const std::string dir_prefix_;
};

}  // namespace hashveil::testing
