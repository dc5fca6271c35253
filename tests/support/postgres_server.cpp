#include "support/postgres_server.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

namespace hashveil::testing {
namespace {

// The last lines a failed step left in the log, for the test's failure message.
std::string LogTail(const std::filesystem::path& log) {
  std::ifstream in(log);
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  if (!std::filesystem::exists(kPostgresBinDir / "initdb")) {
    return Status::NotFound("no initdb in " + kPostgresBinDir.string() +
                            ": run scripts/setup (apt-get install postgresql-15)");
  }
  // Short, because the socket's path must fit in sun_path (108 bytes).
  std::string dir = (std::filesystem::temp_directory_path() / "hv-pg-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return Status::IoError("mkdtemp failed for " + dir);
  std::unique_ptr<PostgresServer> server(new PostgresServer(dir));
  // PostgreSQL will not run as root: the server runs as `postgres`, which must own its folder.
  if (::geteuid() == 0) {
    const passwd* postgres = ::getpwnam("postgres");
    if (postgres == nullptr)
      return Status::NotFound("no postgres user (postgresql-15 installs it)");
    if (::chown(dir.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
      return Status::IoError("cannot give " + dir + " to the postgres user");
    }
  }
  // Trust over a socket only the folder's owner (and root) can reach; no fsync: a test's
  // server need not survive a machine crash, only a server crash (the OS keeps the writes).
  HV_RETURN_IF_ERROR(server->Run("initdb", "-D " + dir +
                                               "/data -U postgres -A trust -E UTF8"
                                               " --locale=C --no-sync --no-instructions"));
  HV_RETURN_IF_ERROR(server->Resume());
  return server;
}

PostgresServer::~PostgresServer() {
  if (running_) (void)Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

Result<std::string> PostgresServer::CreateDatabase(const std::string& name) {
  PGconn* connection = PQconnectdb(UriOf("postgres").c_str());
  const bool connected = PQstatus(connection) == CONNECTION_OK;
  PGresult* result =
      connected ? PQexec(connection, ("CREATE DATABASE \"" + name + "\"").c_str()) : nullptr;
  const bool created = result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
  const std::string error = PQerrorMessage(connection);
  PQclear(result);
  PQfinish(connection);
  if (!created) return Status::IoError("creating database " + name + ": " + error);
  return UriOf(name);
}

std::string PostgresServer::UriOf(const std::string& name) const {
  return "postgresql:///" + name + "?host=" + dir_.string() + "&user=postgres";
}

Status PostgresServer::Stop() {
  HV_RETURN_IF_ERROR(Run("pg_ctl", "-D " + dir_.string() + "/data -m immediate -w stop"));
  running_ = false;
  return Status::Ok();
}

Status PostgresServer::Resume() {
  const std::string dir = dir_.string();
  HV_RETURN_IF_ERROR(Run("pg_ctl", "-D " + dir + "/data -l " + dir + "/server.log -w -t 30 -o \"" +
                                       "-c listen_addresses='' -k " + dir +
                                       " -c fsync=off\" start"));
  running_ = true;
  return Status::Ok();
}

Status PostgresServer::Run(const std::string& program, const std::string& args) const {
  const std::filesystem::path log = dir_ / "commands.log";
  const std::string as_postgres = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
  const std::string command = as_postgres + (kPostgresBinDir / program).string() + " " + args +
                              " >>" + log.string() + " 2>&1";
  if (std::system(command.c_str()) != 0) {
    return Status::Internal(program + " failed: " + LogTail(log) + LogTail(dir_ / "server.log"));
  }
  return Status::Ok();
}

}  // namespace hashveil::testing
