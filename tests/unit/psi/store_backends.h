// The share store's backends, for the tests every ShareStore must pass (issue 13): SQLite in the
// test's folder, PostgreSQL in a fresh database on a throwaway server (one per test process,
// started on first use; ctest runs each test in its own process), and PostgreSQL sharded over
// three fresh databases of that server (kShardedRanges).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <iterator>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

#include "hashveil/psi/shard_map.h"
#include "hashveil/psi/share_store.h"
#include "support/postgres_server.h"

namespace hashveil::psi::testing {

enum class StoreBackend { kSqlite, kPostgres, kPostgresSharded };

inline const auto kStoreBackends = ::testing::Values(StoreBackend::kSqlite, StoreBackend::kPostgres,
                                                     StoreBackend::kPostgresSharded);

inline std::string StoreBackendName(StoreBackend backend) {
  switch (backend) {
    case StoreBackend::kSqlite: return "Sqlite";
    case StoreBackend::kPostgres: return "Postgres";
    case StoreBackend::kPostgresSharded: return "PostgresSharded";
  }
  return "";
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

// kPostgresSharded's map: the directory keeps 0-340, its two shards the rest, so the accounts
// of a test spread over all three (about a third each).
struct ShardedRange {
  std::uint32_t first, last;
};
inline constexpr ShardedRange kShardedRanges[] = {{341, 681}, {682, 1023}};

// A --store value naming a new, empty store of `backend`: a file in `dir`, or the URI of a new
// database on the shared server (the directory, for kPostgresSharded; its shards are the
// databases of the same name with "_s1", "_s2" appended).
inline std::string FreshStoreLocation(StoreBackend backend, const std::filesystem::path& dir) {
  if (backend == StoreBackend::kSqlite) return (dir / "server.sqlite").string();
  static int databases = 0;
  const std::string name = "hv" + std::to_string(++databases);
  const auto create = [](const std::string& database) {
    auto uri = SharedPostgresServer().CreateDatabase(database);
    if (!uri.ok()) throw std::runtime_error(uri.status().ToString());
    return std::move(uri).value();
  };
  const std::string directory = create(name);
  if (backend == StoreBackend::kPostgresSharded) {
    for (std::size_t shard = 0; shard < std::size(kShardedRanges); ++shard) {
      const auto [first, last] = kShardedRanges[shard];
      const Status assigned =
          AssignBuckets(directory, first, last, create(name + "_s" + std::to_string(shard + 1)));
      if (!assigned.ok()) throw std::runtime_error(assigned.ToString());
    }
  }
  return directory;
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
