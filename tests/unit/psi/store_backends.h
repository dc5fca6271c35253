// The share store's backends, for the tests every ShareStore must pass (issue 13): SQLite in the
// test's folder, and PostgreSQL in a fresh database on a throwaway server (one per test process,
// started on first use; ctest runs each test in its own process).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

#include "hashveil/psi/share_store.h"
#include "support/postgres_server.h"

namespace hashveil::psi::testing {

enum class StoreBackend { kSqlite, kPostgres };

inline const auto kStoreBackends =
    ::testing::Values(StoreBackend::kSqlite, StoreBackend::kPostgres);

inline std::string StoreBackendName(StoreBackend backend) {
  return backend == StoreBackend::kSqlite ? "Sqlite" : "Postgres";
}
// For gtest's messages ("where GetParam() = Postgres").
inline void PrintTo(StoreBackend backend, std::ostream* out) { *out << StoreBackendName(backend); }

// The process's PostgreSQL server, stopped and removed at exit. Throws (gtest fails the test
// with the message) when it cannot start.
inline ::hashveil::testing::PostgresServer& SharedPostgresServer() {
  static const auto server = [] {
    auto started = ::hashveil::testing::PostgresServer::Start();
    if (!started.ok()) throw std::runtime_error(started.status().ToString());
    return std::move(started).value();
  }();
  return *server;
}

// A --store value naming a new, empty store of `backend`: a file in `dir`, or the URI of a new
// database on the shared server.
inline std::string FreshStoreLocation(StoreBackend backend, const std::filesystem::path& dir) {
  if (backend == StoreBackend::kSqlite) return (dir / "server.sqlite").string();
  static int databases = 0;
  auto uri = SharedPostgresServer().CreateDatabase("hv" + std::to_string(++databases));
  if (!uri.ok()) throw std::runtime_error(uri.status().ToString());
  return std::move(uri).value();
}

// A new, empty store of `backend` (see FreshStoreLocation). Throws when it cannot be opened.
inline std::unique_ptr<ShareStore> OpenFreshStore(StoreBackend backend,
                                                  const std::filesystem::path& dir) {
  auto store = OpenShareStore(FreshStoreLocation(backend, dir));
  if (!store.ok()) throw std::runtime_error(store.status().ToString());
  return std::move(store).value();
}

// Names a parameterised test's instances after the backend: .../Sqlite, .../Postgres.
struct StoreBackendParamName {
  std::string operator()(const ::testing::TestParamInfo<StoreBackend>& info) const {
    return StoreBackendName(info.param);
  }
};

}  // namespace hashveil::psi::testing
