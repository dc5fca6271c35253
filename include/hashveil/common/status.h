// Status and Result<T>: the one way hashveil reports failure (no exceptions cross the API).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace hashveil {

// A small, stable set of codes; the C ABI maps them 1:1 to integers.
enum class StatusCode : int {
  kOk = 0,
  kInvalidInput = 1,       // the caller's input is malformed or out of range
  kNotFound = 2,           // a file, record or entry does not exist
  kCorrupt = 3,            // stored or received bytes fail a structural, digest or signature check
  kUnsupported = 4,        // a format, version or feature this build does not handle
  kResourceExhausted = 5,  // a declared size exceeds a configured cap (e.g. image pixels)
  kIoError = 6,            // the operating system refused a read or write
  kFailedPrecondition = 7, // the operation is valid but not in the current state
  kInternal = 8,           // a bug or an unexpected library failure
};

const char* StatusCodeName(StatusCode code);

// Messages name what was wrong, never a hash, a key or a user path.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidInput(std::string m) { return {StatusCode::kInvalidInput, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corrupt(std::string m) { return {StatusCode::kCorrupt, std::move(m)}; }
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "corrupt: digest mismatch"
  std::string ToString() const;

  // Prefixes context ("loading client DB: ") to the message, keeping the code.
  Status WithContext(const std::string& context) const {
    return ok() ? *this : Status(code_, context + ": " + message_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(state_).ok() && "Result built from an OK status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  // OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }

  T& value() & { assert(ok()); return std::get<T>(state_); }
  const T& value() const& { assert(ok()); return std::get<T>(state_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(state_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace hashveil

#define HV_STATUS_CONCAT_INNER_(a, b) a##b
#define HV_STATUS_CONCAT_(a, b) HV_STATUS_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define HV_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    ::hashveil::Status hv_status_ = (expr);          \
    if (!hv_status_.ok()) return hv_status_;         \
  } while (0)

// `HV_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from the Result's value, or returns its status.
#define HV_ASSIGN_OR_RETURN(lhs, expr) \
  HV_ASSIGN_OR_RETURN_IMPL_(HV_STATUS_CONCAT_(hv_result_, __LINE__), lhs, expr)
#define HV_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
