// A throwaway PostgreSQL 15 server for tests that need a real one (issue 13: no mock): a copy of
// a cluster initdb made once (kept as <tmp>/hv-pg-template-15-UID for later runs) in a fresh
// temporary folder, started with pg_ctl from Debian's postgresql-15, unix socket only, run as
// the `postgres` user when the test runs as root (CI does; PostgreSQL refuses to run as root).
// Stopped and removed when the object goes.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "hashveil/common/status.h"

namespace hashveil::testing {

// Where Debian's postgresql-15 puts initdb and pg_ctl (scripts/setup installs it).
inline const std::filesystem::path kPostgresBinDir = "/usr/lib/postgresql/15/bin";

// Not thread-safe: one test thread drives it.
class PostgresServer {
 public:
  // Copies the template cluster (making it first if needed), starts it and waits until it
  // accepts connections. The error names the step and keeps the end of its log. kNotFound
  // without initdb (postgresql-15 not installed). First stops and removes the servers of test
  // processes that are gone: one killed outright (SIGKILL, a sanitizer's halt) never ran the
  // destructor that stops its server.
  static Result<std::unique_ptr<PostgresServer>> Start();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A new, empty database on this server and its connection URI,
  // `postgresql:///NAME?host=SOCKET_DIR&user=postgres`.
  Result<std::string> CreateDatabase(const std::string& name);
  // The URI of database `name` (created or not).
  std::string UriOf(const std::string& name) const;
  // The server's folder: its socket, data/, server.log and owner.pid (the test process's pid).
  const std::filesystem::path& dir() const { return dir_; }

  // Stops the server as a crash would (immediate: no checkpoint, clients cut off); Resume
  // starts it again on the same data and socket, waiting until it accepts connections.
  Status Stop();
  Status Resume();

 private:
  explicit PostgresServer(std::filesystem::path dir) : dir_(std::move(dir)) {}
  // `program args` from kPostgresBinDir (as the postgres user when we are root); the error ends
  // with the server's log.
  Status Run(const std::string& program, const std::string& args) const;

  const std::filesystem::path dir_;  // the socket's folder; data/ and server.log inside
  bool running_ = false;
};

}  // namespace hashveil::testing
