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
  if (in_transaction_ || PQstatus(connection_) == CONNECTION_OK) return Status::Ok();
  PQreset(connection_);
  prepared_.clear();
  if (PQstatus(connection_) != CONNECTION_OK) return Unreachable("");
  return Status::Ok();
}

Status PgConnection::Execute(const char* sql, const char* doing) {
  HV_RETURN_IF_ERROR(ReconnectIfLost());
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
  HV_RETURN_IF_ERROR(ReconnectIfLost());
  const int count = static_cast<int>(params.values_.size());
  if (!prepared_.contains(statement.name)) {
    PgRows prepared(
        PQprepare(connection_, statement.name, statement.sql, count, params.types_.data()));
    if (PQresultStatus(prepared.result_.get()) != PGRES_COMMAND_OK) {
      return Failure(prepared.result_.get(), doing);
    }
    prepared_.emplace(statement.name);
  }
  PgRows rows(PQexecPrepared(connection_, statement.name, count, params.values_.data(),
                             params.lengths_.data(), params.formats_.data(), kBinary));
  const ExecStatusType status = PQresultStatus(rows.result_.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return Failure(rows.result_.get(), doing);
  }
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
