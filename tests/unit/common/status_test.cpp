#include "hashveil/common/status.h"

#include <gtest/gtest.h>

#include <memory>

namespace hashveil {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidInput("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  HV_ASSIGN_OR_RETURN(int half, Half(x));
  HV_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int x) {
  HV_RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, CarriesCodeMessageAndContext) {
  Status s = Status::Corrupt("digest mismatch").WithContext("loading client DB");
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_EQ(s.ToString(), "corrupt: loading client DB: digest mismatch");
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(ResultTest, HoldsValueOrStatus) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> odd = Quarter(6);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(CheckEven(3).code(), StatusCode::kInvalidInput);
  EXPECT_TRUE(CheckEven(4).ok());
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace hashveil
