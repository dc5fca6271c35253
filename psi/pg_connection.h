// A thin wrapper over one libpq connection for the PostgreSQL share store: connect with a URI,
// named prepared statements run with binary parameters and binary results, alone or many in
// one round trip (a pipeline), transactions.
//
// Errors never carry libpq's own text: it can hold the URI's password, the socket's path or a
// row's values (a voucher id, a share). They name what was being done and the SQLSTATE.
// kIoError for every failure, "unreachable" in the message when the server cannot be reached or
// the connection was lost; a lost connection is opened again before the next transaction.
#pragma once

#include <libpq-fe.h>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashveil/common/status.h"

namespace hashveil::psi {

// The parameters of one statement, each sent in binary: bigint, bytea or text (or a NULL
// bigint). Views: what they point at must outlive the Run call.
class PgParams {
 public:
  PgParams() = default;
  PgParams(const PgParams&) = delete;  // values_ points into ints_
  PgParams& operator=(const PgParams&) = delete;
  PgParams& Int(std::int64_t value);
  PgParams& Int(const std::optional<std::uint32_t>& value);  // NULL when empty
  PgParams& Bytes(std::span<const std::uint8_t> value);
  PgParams& Text(std::string_view value);

 private:
  friend class PgConnection;
  std::vector<Oid> types_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  // Big-endian bigints, kept here so values_ can point at them (a deque: stable addresses).
  std::deque<std::array<char, 8>> ints_;
};

// The rows of one statement, in binary. Accessors assume the column types the SQL selects;
// Int checks the width and gives kCorrupt for anything but a bigint.
class PgRows {
 public:
  explicit PgRows(PGresult* result) : result_(result, &PQclear) {}
  int size() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  Result<std::int64_t> Int(int row, int column) const;
  std::span<const std::uint8_t> Bytes(int row, int column) const;
  std::string Text(int row, int column) const;
  // The number of rows an INSERT, UPDATE or DELETE changed.
  std::uint64_t Changed() const;

 private:
  friend class PgConnection;
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

// One SQL statement, prepared under `name` on first use on each connection. Its parameters'
// types are those of the first PgParams it runs with.
struct PgStatement {
  const char* name;
  const char* sql;
};

// Statements to send to the server together and have answered together (libpq's pipeline
// mode): one round trip for all of them, however many. Fill each statement's parameters where
// it is added: `pipeline.Add(kAddAccount).Int(bucket).Text(account);`. As with PgParams, what
// the parameters point at must outlive RunPipeline.
class PgPipeline {
 public:
  PgParams& Add(const PgStatement& statement) { return steps_.emplace_back(statement).params; }
  bool empty() const { return steps_.empty(); }
  std::size_t size() const { return steps_.size(); }

 private:
  friend class PgConnection;
  struct Step {
    explicit Step(const PgStatement& statement) : statement(&statement) {}
    const PgStatement* statement;
    PgParams params;
  };
  std::deque<Step> steps_;  // a deque: PgParams stay where they were filled
};

// Thread-compatible, like the ShareStore that owns it.
class PgConnection {
 public:
  // kIoError ("unreachable") when the server cannot be reached or refuses the connection.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& uri);
  ~PgConnection() { PQfinish(connection_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs SQL of any number of statements without parameters (schema, locks).
  Status Execute(const char* sql, const char* doing);
  // Runs a prepared statement. `doing` ("reading", "writing") goes into the error.
  Result<PgRows> Run(const PgStatement& statement, const PgParams& params, const char* doing);
  // Runs the pipeline's statements in order in one round trip (with those not yet prepared on
  // this connection prepared in the same one) and gives their rows in the same order. Inside a
  // transaction they belong to it; outside one they make one of their own. Once a statement
  // fails the server skips the rest: the error, by Run's rules, is that first failure's.
  Result<std::vector<PgRows>> RunPipeline(const PgPipeline& pipeline, const char* doing);
  // RunPipeline for the last statements of an InTransaction body: the transaction's COMMIT ends
  // the same round trip, so InTransaction sends none. If a statement fails, the server skips
  // the COMMIT with the rest and InTransaction rolls back.
  Status RunPipelineAndCommit(const PgPipeline& pipeline, const char* doing);

  // Runs `body` in one transaction, or rolls back on its first error. BEGIN is no round trip of
  // its own: it goes ahead of the body's first Run or RunPipeline, in the same one (ahead of an
  // Execute, alone). COMMIT follows the body, alone, unless its last pipeline carried it
  // (RunPipelineAndCommit). A transaction that lost a deadlock or a serialisation conflict to
  // another one is run again, a few times.
  // A connection lost when the transaction failed (e.g. the server restarted) leaves its outcome
  // unknown to the caller; the writes above are idempotent, so the caller retries.
  template <typename Body>
  Status InTransaction(Body&& body) {
    Status status;
    for (int attempt = 0; attempt < kTransactionAttempts; ++attempt) {
      lost_a_conflict_ = false;
      status = ReconnectIfLost();
      in_transaction_ = true;
      begin_pending_ = true;
      if (status.ok()) status = body();
      begin_pending_ = false;  // a body that sent nothing began nothing: no COMMIT, no ROLLBACK
      if (status.ok() && TransactionOpen()) status = Execute("COMMIT", "committing to");
      if (!status.ok() && TransactionOpen()) (void)Execute("ROLLBACK", "rolling back");
      in_transaction_ = false;
      if (status.ok() || !lost_a_conflict_) return status;
    }
    return status;
  }

 private:
  static constexpr int kTransactionAttempts = 3;
  explicit PgConnection(PGconn* connection) : connection_(connection) {}
  // Before a transaction or a statement outside one: a connection lost since the last call
  // (the server restarted) is opened again, forgetting what was prepared on it. Never inside a
  // transaction, whose later statements would run outside it. kIoError when still unreachable.
  Status ReconnectIfLost();
  // Whether the server may hold a transaction open: not once it committed or rolled back, and
  // still when the connection is lost (the COMMIT then fails as unreachable).
  bool TransactionOpen() const { return PQtransactionStatus(connection_) != PQTRANS_IDLE; }
  // The Status of a result that is not `expected`; remembers whether it lost a conflict.
  Status Failure(const PGresult* result, const char* doing);
  // Run and RunPipeline: sends the statements in pipeline mode, after the transaction's BEGIN
  // if it is pending and before its COMMIT if `commit`, then reads every result up to the
  // pipeline's sync, so the connection leaves pipeline mode idle even after an error.
  struct Call {
    const PgStatement* statement;
    const PgParams* params;
  };
  static std::vector<Call> Calls(const PgPipeline& pipeline);
  Result<std::vector<PgRows>> RunCalls(std::span<const Call> calls, const char* doing, bool commit);

  PGconn* connection_;
  std::set<std::string, std::less<>> prepared_;
  bool in_transaction_ = false;
  bool begin_pending_ = false;  // InTransaction's BEGIN, until its first statement is sent
  bool lost_a_conflict_ = false;
};

}  // namespace hashveil::psi
