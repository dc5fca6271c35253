#include "pg_connection.h"

#include <cstring>
#include <string>

namespace hashveil::psi {
namespace {

// PostgreSQL's type OIDs (pg_type.dat) of the parameters we send.
constexpr Oid kInt8Oid = 20;
constexpr Oid kByteaOid = 17;
constexpr Oid kTextOid = 25;
constexpr int kBinary = 1;

// Waits this long for a server that does not answer, unless the URI says otherwise.
constexpr const char* kConnectTimeoutSeconds = "10";

Status Unreachable(const std::string& context) {
  return Status::IoError("the share store's PostgreSQL server is unreachable" + context);
}

}  // namespace

PgParams& PgParams::Int(std::int64_t value) {
  auto& bytes = ints_.emplace_back();
  const auto bits = static_cast<std::uint64_t>(value);
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(bits >> (56 - 8 * i));
  types_.push_back(kInt8Oid);
  values_.push_back(bytes.data());
  lengths_.push_back(8);
  formats_.push_back(kBinary);
  return *this;
}

PgParams& PgParams::Int(const std::optional<std::uint32_t>& value) {
  if (value) return Int(std::int64_t{*value});
  types_.push_back(kInt8Oid);
  values_.push_back(nullptr);
  lengths_.push_back(0);
  formats_.push_back(kBinary);
  return *this;
}

PgParams& PgParams::Bytes(std::span<const std::uint8_t> value) {
  types_.push_back(kByteaOid);
  // libpq wants a non-null pointer for an empty, non-NULL value.
  values_.push_back(value.empty() ? "" : reinterpret_cast<const char*>(value.data()));
  lengths_.push_back(static_cast<int>(value.size()));
  formats_.push_back(kBinary);
  return *this;
}

PgParams& PgParams::Text(std::string_view value) {
  types_.push_back(kTextOid);
  values_.push_back(value.empty() ? "" : value.data());
  lengths_.push_back(static_cast<int>(value.size()));
  formats_.push_back(kBinary);  // a text's binary form is its bytes
  return *this;
}

Result<std::int64_t> PgRows::Int(int row, int column) const {
  if (PQgetlength(result_.get(), row, column) != 8 || IsNull(row, column)) {
    return Status::Corrupt("share store row is malformed");
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(PQgetvalue(result_.get(), row, column));
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = bits << 8 | bytes[i];
  return static_cast<std::int64_t>(bits);
}

std::span<const std::uint8_t> PgRows::Bytes(int row, int column) const {
  const auto* data = reinterpret_cast<const std::uint8_t*>(PQgetvalue(result_.get(), row, column));
  return {data, static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::string PgRows::Text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::uint64_t PgRows::Changed() const {
  return std::strtoull(PQcmdTuples(result_.get()), nullptr, 10);
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& uri) {
  // The URI comes last so that its own connect_timeout, if any, wins.
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {kConnectTimeoutSeconds, uri.c_str(), nullptr};
  PGconn* connection = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  std::unique_ptr<PgConnection> wrapped(new PgConnection(connection));
  // libpq prints the server's notices and warnings to stderr; the service's log is its own.
  PQsetNoticeProcessor(
      connection, [](void*, const char*) {}, nullptr);
  if (connection == nullptr || PQstatus(connection) != CONNECTION_OK) {
    // libpq's message names the socket path or host and may quote the URI: not repeated.
    return Unreachable(" or refused the connection (check the --store URI and that it runs)");
  }
  return wrapped;
}

Status PgConnection::ReconnectIfLost() {
  // Still in pipeline mode only if a pipeline's answers were cut short: opened again too.
  const bool usable =
      PQstatus(connection_) == CONNECTION_OK && PQpipelineStatus(connection_) == PQ_PIPELINE_OFF;
  if (in_transaction_ || usable) return Status::Ok();
  PQreset(connection_);
  prepared_.clear();
  if (PQstatus(connection_) != CONNECTION_OK) return Unreachable("");
  return Status::Ok();
}

Status PgConnection::Execute(const char* sql, const char* doing) {
  HV_RETURN_IF_ERROR(ReconnectIfLost());
  if (begin_pending_) {
    begin_pending_ = false;
    HV_RETURN_IF_ERROR(Execute("BEGIN", "starting a transaction on"));
  }
  PGresult* result = PQexec(connection_, sql);
  const ExecStatusType status = PQresultStatus(result);
  const Status outcome = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK
                             ? Status::Ok()
                             : Failure(result, doing);
  PQclear(result);
  return outcome;
}

Result<PgRows> PgConnection::Run(const PgStatement& statement, const PgParams& params,
                                 const char* doing) {
  const Call call{&statement, &params};
  HV_ASSIGN_OR_RETURN(std::vector<PgRows> rows, RunCalls({&call, 1}, doing, /*commit=*/false));
  return std::move(rows.front());
}

std::vector<PgConnection::Call> PgConnection::Calls(const PgPipeline& pipeline) {
  std::vector<Call> calls;
  calls.reserve(pipeline.steps_.size());
  for (const auto& step : pipeline.steps_) calls.push_back({step.statement, &step.params});
  return calls;
}

Result<std::vector<PgRows>> PgConnection::RunPipeline(const PgPipeline& pipeline,
                                                      const char* doing) {
  return RunCalls(Calls(pipeline), doing, /*commit=*/false);
}

Status PgConnection::RunPipelineAndCommit(const PgPipeline& pipeline, const char* doing) {
  return RunCalls(Calls(pipeline), doing, /*commit=*/true).status();
}

Result<std::vector<PgRows>> PgConnection::RunCalls(std::span<const Call> calls, const char* doing,
                                                   bool commit) {
  HV_RETURN_IF_ERROR(ReconnectIfLost());
  if (PQenterPipelineMode(connection_) != 1) return Failure(nullptr, doing);
  // What the server answers, in order: a statement prepared here, a call's rows, the
  // transaction's BEGIN or COMMIT. Blocking mode cannot deadlock on a long pipeline: while libpq
  // waits to send, it reads what the server answered so far.
  struct Answer {
    const char* doing;               // for its error
    bool rows = false;               // a call's, returned
    const char* prepared = nullptr;  // the statement prepared here, forgotten if that failed
  };
  std::vector<Answer> answers;
  // BEGIN and COMMIT go unprepared, without parameters. BEGIN makes the statements after it
  // one explicit transaction, not the implicit one a pipeline's sync would end: after a failure
  // the server skips the rest up to the sync (COMMIT too) and holds the transaction aborted,
  // for InTransaction to roll back.
  const auto send_plain = [&](const char* sql, const char* plain_doing) {
    const bool sent =
        PQsendQueryParams(connection_, sql, 0, nullptr, nullptr, nullptr, nullptr, kBinary) == 1;
    if (sent) answers.push_back({plain_doing});
    return sent;
  };
  bool sent = !begin_pending_ || send_plain("BEGIN", "starting a transaction on");
  begin_pending_ = false;
  for (const auto& [statement, params] : calls) {
    if (!sent) break;
    const int count = static_cast<int>(params->values_.size());
    // Counted as prepared from here, so a later call in this pipeline does not prepare it
    // again; forgotten below if the server did not prepare it.
    if (prepared_.emplace(statement->name).second) {
      sent = PQsendPrepare(connection_, statement->name, statement->sql, count,
                           params->types_.data()) == 1;
      if (!sent) {
        prepared_.erase(statement->name);
        break;
      }
      answers.push_back({doing, false, statement->name});
    }
    sent = PQsendQueryPrepared(connection_, statement->name, count, params->values_.data(),
                               params->lengths_.data(), params->formats_.data(), kBinary) == 1;
    if (sent) answers.push_back({doing, true});
  }
  // COMMIT's result is read below like the others, and the server sends it only once the
  // commit is durable (its WAL flushed, with synchronous_commit on, the default): in the
  // writes' pipeline, success still means committed, as with a COMMIT of its own.
  if (sent && commit) sent = send_plain("COMMIT", "committing to");
  // Synced even after a failed send: what was sent is answered before pipeline mode can end.
  const bool synced = PQpipelineSync(connection_) == 1;
  Status error = sent && synced ? Status::Ok() : Failure(nullptr, doing);
  std::vector<PgRows> rows;
  rows.reserve(calls.size());
  // Each answer is its result then a null; after a failure the server skips the rest, each
  // answered PGRES_PIPELINE_ABORTED; the sync ends them all. A lost connection ends them early.
  std::size_t answer = 0;
  while (synced && PQstatus(connection_) == CONNECTION_OK && answer <= answers.size()) {
    PGresult* result = PQgetResult(connection_);
    if (result == nullptr) {
      ++answer;
      continue;
    }
    PgRows answered(result);
    const ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_PIPELINE_SYNC) break;
    const Answer expected = answer < answers.size() ? answers[answer] : Answer{doing};
    const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok && status != PGRES_PIPELINE_ABORTED && error.ok()) {
      error = Failure(result, expected.doing);
    }
    if (expected.rows && ok) rows.push_back(std::move(answered));
    if (expected.prepared != nullptr && !ok) prepared_.erase(expected.prepared);
  }
  if (PQexitPipelineMode(connection_) != 1 && error.ok()) error = Failure(nullptr, doing);
  if (error.ok() && rows.size() != calls.size()) error = Failure(nullptr, doing);
  if (!error.ok()) return error;
  return rows;
}

Status PgConnection::Failure(const PGresult* result, const char* doing) {
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string code = sqlstate ? sqlstate : "";
  // 40001 serialization_failure, 40P01 deadlock_detected: running the transaction again works.
  lost_a_conflict_ = code == "40001" || code == "40P01";
  // Class 08 is connection exceptions; 57P01-03 a server shutting down or starting up. No
  // SQLSTATE at all: libpq's own failure, the connection lost before the server could answer.
  if (PQstatus(connection_) != CONNECTION_OK || code.empty() || code.starts_with("08") ||
      code.starts_with("57P")) {
    return Unreachable(code.empty() ? "" : " (SQLSTATE " + code + ")");
  }
  // Names of the schema only: the message and detail may quote a row's values.
  std::string message = std::string(doing) + " the share store failed (PostgreSQL";
  if (!code.empty()) message += " SQLSTATE " + code;
  const char* constraint = result ? PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME) : nullptr;
  if (constraint) message += std::string(", constraint ") + constraint;
  return Status::IoError(message + ")");
}

}  // namespace hashveil::psi
