#include "hashveil/common/random.h"
#include "hashveil/common/seeded_random.h"

#include <gtest/gtest.h>

#include <set>

namespace hashveil {
namespace {

TEST(RandomTest, SeededSourceIsReproducibleAndAdvances) {
  auto a = MakeSeededRandomForTesting(42);
  auto b = MakeSeededRandomForTesting(42);
  auto c = MakeSeededRandomForTesting(43);
  const std::uint64_t a1 = a->NextU64();
  EXPECT_EQ(a1, b->NextU64());
  EXPECT_NE(a1, c->NextU64());
  EXPECT_NE(a1, a->NextU64());  // consecutive draws differ
}

TEST(RandomTest, SystemSourceDoesNotRepeat) {
  auto random = MakeSystemRandom();
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(random->NextU64());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomTest, UniformStaysInRangeAndCoversIt) {
  auto random = MakeSeededRandomForTesting(1);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const std::uint64_t v = random->Uniform(7);
    ASSERT_LT(v, 7u);
    ++counts[v];
  }
  for (int count : counts) EXPECT_GT(count, 800);  // expected 1000 each
}

}  // namespace
}  // namespace hashveil
