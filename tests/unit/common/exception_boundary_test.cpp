#include "hashveil/common/exception_boundary.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace hashveil {
namespace {

TEST(StatusFromExceptionsTest, PassesResultsAndStatusesThrough) {
  const Result<int> value = StatusFromExceptions("adding", []() -> Result<int> { return 42; });
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 42);
  const Status refused = StatusFromExceptions("adding", [] { return Status::Corrupt("bad input"); });
  EXPECT_EQ(refused.code(), StatusCode::kCorrupt);
  EXPECT_EQ(refused.message(), "bad input");
}

TEST(StatusFromExceptionsTest, TurnsWhatEscapesIntoAStatusNamingTheOperation) {
  const Result<int> out_of_memory =
      StatusFromExceptions("scanning", []() -> Result<int> { throw std::bad_alloc(); });
  EXPECT_EQ(out_of_memory.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(out_of_memory.status().message(), "out of memory while scanning");
  // The exception's own text may carry input (a path, a value): only the operation is named.
  const Result<int> thrown = StatusFromExceptions(
      "scanning", []() -> Result<int> { throw std::runtime_error("/home/user/secret.jpg"); });
  EXPECT_EQ(thrown.status().code(), StatusCode::kInternal);
  EXPECT_EQ(thrown.status().message(), "scanning failed unexpectedly");
}

}  // namespace
}  // namespace hashveil
