#include "support/postgres_server.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

namespace hashveil::testing {
namespace {

namespace fs = std::filesystem;

// The last lines a failed step left in the log, for the test's failure message.
std::string LogTail(const fs::path& log) {
  std::ifstream in(log);
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

// A fresh folder `prefix`XXXXXX in the temp folder (short: the socket's path must fit in
// sun_path's 108 bytes), owned by the postgres user when we are root, as PostgreSQL will not
// run as root.
Result<fs::path> MakeServerDir(const std::string& prefix) {
  std::string dir = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (::mkdtemp(dir.data()) == nullptr) return Status::IoError("mkdtemp failed for " + dir);
  if (::geteuid() == 0) {
    const passwd* postgres = ::getpwnam("postgres");
    if (postgres == nullptr) return Status::NotFound("no postgres user (postgresql-15 makes it)");
    if (::chown(dir.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
      return Status::IoError("cannot give " + dir + " to the postgres user");
    }
  }
  return fs::path(dir);
}

// `program args` from kPostgresBinDir, as the postgres user when we are root; its output is
// appended to `log`, whose end is in the error.
Status RunProgram(const std::string& program, const std::string& args, const fs::path& log) {
  const std::string as_postgres = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
  const std::string command = as_postgres + (kPostgresBinDir / program).string() + " " + args +
                              " >>" + log.string() + " 2>&1";
  if (std::system(command.c_str()) != 0)
    return Status::Internal(program + " failed: " + LogTail(log));
  return Status::Ok();
}

// The data folder of a cluster initdb made once per machine and user, which every Start copies:
// initdb takes 1-4 s here (most of it making the template databases), a copy a fraction of that.
// Made in a folder of its own and renamed into place whole, so no process copies a half-made
// one; when another process got there first, its cluster is as good. Kept for later test runs.
Result<fs::path> TemplateCluster() {
  const fs::path path =
      fs::temp_directory_path() / ("hv-pg-template-15-" + std::to_string(::geteuid()));
  if (fs::exists(path)) return path / "data";
  HV_ASSIGN_OR_RETURN(const fs::path made, MakeServerDir("hv-pg-template-"));
  // Trust over a socket only the folder's owner (and root) can reach.
  const Status initdb = RunProgram("initdb",
                                   "-D " + (made / "data").string() +
                                       " -U postgres -A trust -E UTF8 --locale=C --no-sync"
                                       " --no-instructions",
                                   made / "initdb.log");
  std::error_code ignored;
  if (!initdb.ok() || ::rename(made.c_str(), path.c_str()) != 0) fs::remove_all(made, ignored);
  HV_RETURN_IF_ERROR(initdb);
  return path / "data";
}

// The servers whose owner.pid names a process that no longer exists are stopped and their
// folders removed. A folder without owner.pid is one being made: left alone.
void StopServersOfDeadProcesses() {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), error)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("hv-pg-") || name.starts_with("hv-pg-template-")) continue;
    std::ifstream owner_file(entry.path() / "owner.pid");
    pid_t owner = 0;
    if (!(owner_file >> owner) || owner <= 0 || ::kill(owner, 0) == 0 || errno != ESRCH) continue;
    (void)RunProgram("pg_ctl", "-D " + (entry.path() / "data").string() + " -m immediate -w stop",
                     entry.path() / "commands.log");
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
  }
}

}  // namespace

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  if (!fs::exists(kPostgresBinDir / "initdb")) {
    return Status::NotFound("no initdb in " + kPostgresBinDir.string() +
                            ": run scripts/setup (apt-get install postgresql-15)");
  }
  StopServersOfDeadProcesses();
  HV_ASSIGN_OR_RETURN(const fs::path dir, MakeServerDir("hv-pg-"));
  std::unique_ptr<PostgresServer> server(new PostgresServer(dir));
  std::ofstream(dir / "owner.pid") << ::getpid() << "\n";
  HV_ASSIGN_OR_RETURN(const fs::path cluster, TemplateCluster());
  // cp -a keeps the owner (postgres) and the 0700 mode PostgreSQL insists on.
  const std::string copy = "cp -a " + cluster.string() + " " + (dir / "data").string();
  if (std::system(copy.c_str()) != 0)
    return Status::Internal("copying the template cluster failed");
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
  // No TCP, and no fsync: a test's server need not survive a machine crash, only a server
  // crash or an immediate stop (the OS keeps what was written).
  HV_RETURN_IF_ERROR(Run("pg_ctl", "-D " + dir + "/data -l " + dir + "/server.log -w -t 30 -o \"" +
                                       "-c listen_addresses='' -k " + dir +
                                       " -c fsync=off\" start"));
  running_ = true;
  return Status::Ok();
}

Status PostgresServer::Run(const std::string& program, const std::string& args) const {
  const Status status = RunProgram(program, args, dir_ / "commands.log");
  if (status.ok()) return status;
  return Status(status.code(), status.message() + " server log: " + LogTail(dir_ / "server.log"));
}

}  // namespace hashveil::testing
