#include "okvs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <set>

namespace hashveil::hashdb {
namespace {

std::vector<matcher::MatchKey> RandomKeys(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::set<matcher::MatchKey> keys;
  while (keys.size() < count) {
    matcher::MatchKey key{};
    for (std::size_t i = 1; i < 9; ++i) key[i] = static_cast<std::uint8_t>(rng());
    keys.insert(key);
  }
  return {keys.begin(), keys.end()};
}

psi::DbNonce Nonce(std::uint8_t fill) {
  psi::DbNonce nonce{};
  nonce.fill(fill);
  return nonce;
}

psi::FillerSeed Seed(std::uint8_t fill) {
  psi::FillerSeed seed{};
  seed.fill(fill);
  return seed;
}

// Stand-ins for alpha*H(key): any points nobody relates to each other will do.
std::vector<psi::Point> Values(std::span<const matcher::MatchKey> keys) {
  std::vector<psi::Point> values;
  for (const matcher::MatchKey& key : keys) values.push_back(psi::HashToGroup("test/value", key));
  return values;
}

// What a device computes: the sum of the key's 3 cells.
psi::Point Decode(std::span<const psi::Point> table, const OkvsPlan& plan,
                  const matcher::MatchKey& key, const psi::DbNonce& nonce) {
  const auto cells = psi::OkvsCells(nonce, plan.attempt, key, plan.cell_count);
  const auto sum = psi::Add(*psi::Add(table[cells[0]], table[cells[1]]), table[cells[2]]);
  EXPECT_TRUE(sum.ok());
  return *sum;
}

// The first attempt under which `keys` peel, planned.
OkvsPlan PlanFirstThatPeels(std::span<const matcher::MatchKey> keys, const psi::DbNonce& nonce,
                            std::uint64_t cell_count) {
  for (std::uint32_t attempt = 0; attempt < kMaxOkvsAttempts; ++attempt) {
    auto plan = PlanOkvs(keys, nonce, attempt, cell_count, 2);
    if (plan.ok()) return *std::move(plan);
    EXPECT_EQ(plan.status().code(), StatusCode::kFailedPrecondition);
  }
  ADD_FAILURE() << "no attempt peeled";
  return {};
}

TEST(OkvsTest, CellCountIsAMultipleOfThreeAboveThePeelingThreshold) {
  for (const std::uint64_t n : {0u, 1u, 2u, 100u, 1000u, 10'000u, 1'000'000u}) {
    const std::uint64_t m = OkvsCellCount(n);
    EXPECT_EQ(m % 3, 0u) << n;
    EXPECT_GE(m, 3u);
    EXPECT_GT(static_cast<double>(m), 1.23 * static_cast<double>(n)) << n;
  }
  // <= 40 bytes per entry at 1M keys: 32 bytes a cell.
  EXPECT_LE(OkvsCellCount(1'000'000) * 32, 40'000'000u);
}

TEST(OkvsTest, EveryKeyDecodesToItsValue) {
  const auto keys = RandomKeys(2000, 1);
  const auto values = Values(keys);
  const psi::DbNonce nonce = Nonce(3);
  const OkvsPlan plan = PlanFirstThatPeels(keys, nonce, OkvsCellCount(keys.size()));
  auto table = SolveOkvs(plan, values, Seed(4), 2);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->size(), plan.cell_count);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(Decode(*table, plan, keys[i], nonce), values[i]) << i;
  }
}

TEST(OkvsTest, FreeCellsAreTheSeedsFillersAndEveryKeyHasItsOwnPivot) {
  const auto keys = RandomKeys(500, 2);
  const psi::DbNonce nonce = Nonce(5);
  const psi::FillerSeed seed = Seed(6);
  const OkvsPlan plan = PlanFirstThatPeels(keys, nonce, OkvsCellCount(keys.size()));
  auto table = SolveOkvs(plan, Values(keys), seed, 1);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::set<std::uint64_t> pivots;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    ASSERT_LT(plan.pivot[i], 3u);
    pivots.insert(plan.cells[i][plan.pivot[i]]);
  }
  EXPECT_EQ(pivots.size(), keys.size());
  for (std::uint64_t cell = 0; cell < plan.cell_count; ++cell) {
    EXPECT_EQ(plan.is_pivot[cell], pivots.count(cell) == 1) << cell;
    if (!plan.is_pivot[cell]) EXPECT_EQ((*table)[cell], psi::FillerPoint(seed, cell)) << cell;
  }
}

TEST(OkvsTest, SameInputsGiveTheSameTableWhateverTheThreads) {
  const auto keys = RandomKeys(700, 3);
  const auto values = Values(keys);
  const psi::DbNonce nonce = Nonce(7);
  const std::uint64_t cells = OkvsCellCount(keys.size());
  const OkvsPlan plan = PlanFirstThatPeels(keys, nonce, cells);
  auto again = PlanOkvs(keys, nonce, plan.attempt, cells, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->pivot, plan.pivot);
  EXPECT_EQ(again->peel_order, plan.peel_order);
  auto one = SolveOkvs(plan, values, Seed(8), 1);
  auto two = SolveOkvs(*again, values, Seed(8), 2);
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(*one, *two);
  auto other_seed = SolveOkvs(plan, values, Seed(9), 2);
  ASSERT_TRUE(other_seed.ok());
  EXPECT_NE(*one, *other_seed);
}

// The peeling as docs/protocol.md 5.4 states it, without the XOR bookkeeping: a FIFO queue seeded
// with the degree-1 cells in ascending order; a popped cell still of degree 1 peels its one
// remaining key, whose other cells (j = 0, 1, 2) lose a degree and join the queue at degree 1.
struct ReferencePeeling {
  std::vector<std::uint8_t> pivot;
  std::vector<std::uint32_t> order;
};

ReferencePeeling PeelAsDocumented(const std::vector<std::array<std::uint64_t, 3>>& cells,
                                  std::uint64_t cell_count) {
  std::vector<std::set<std::uint32_t>> keys_of(cell_count);
  for (std::uint32_t key = 0; key < cells.size(); ++key) {
    for (const std::uint64_t cell : cells[key]) keys_of[cell].insert(key);
  }
  std::deque<std::uint64_t> queue;
  for (std::uint64_t cell = 0; cell < cell_count; ++cell) {
    if (keys_of[cell].size() == 1) queue.push_back(cell);
  }
  ReferencePeeling result{std::vector<std::uint8_t>(cells.size(), 0), {}};
  while (!queue.empty()) {
    const std::uint64_t cell = queue.front();
    queue.pop_front();
    if (keys_of[cell].size() != 1) continue;
    const std::uint32_t key = *keys_of[cell].begin();
    result.order.push_back(key);
    for (std::uint8_t j = 0; j < 3; ++j) {
      const std::uint64_t other = cells[key][j];
      keys_of[other].erase(key);
      if (other == cell) {
        result.pivot[key] = j;
      } else if (keys_of[other].size() == 1) {
        queue.push_back(other);
      }
    }
  }
  return result;
}

TEST(OkvsTest, PivotsAndOrderFollowTheDocumentedPeeling) {
  const auto keys = RandomKeys(3000, 4);
  const OkvsPlan plan = PlanFirstThatPeels(keys, Nonce(10), OkvsCellCount(keys.size()));
  const ReferencePeeling reference = PeelAsDocumented(plan.cells, plan.cell_count);
  EXPECT_EQ(plan.pivot, reference.pivot);
  EXPECT_EQ(plan.peel_order, reference.order);
}

// A set that does not peel under one attempt peels under a later one: the builder's retry. Six
// keys in nine cells fail often enough that some attempt below 64 fails and another succeeds.
TEST(OkvsTest, ASetThatDoesNotPeelPeelsUnderALaterAttempt) {
  const auto keys = RandomKeys(6, 5);
  bool failed = false;
  bool peeled = false;
  for (std::uint32_t attempt = 0; attempt < kMaxOkvsAttempts; ++attempt) {
    auto plan = PlanOkvs(keys, Nonce(11), attempt, 9, 1);
    if (plan.ok()) {
      peeled = true;
      auto table = SolveOkvs(*plan, Values(keys), Seed(12), 1);
      ASSERT_TRUE(table.ok()) << table.status().ToString();
      for (const auto& key : keys) {
        const std::size_t i = static_cast<std::size_t>(&key - keys.data());
        EXPECT_EQ(Decode(*table, *plan, key, Nonce(11)), Values(keys)[i]);
      }
    } else {
      EXPECT_EQ(plan.status().code(), StatusCode::kFailedPrecondition);
      failed = true;
    }
  }
  EXPECT_TRUE(failed);
  EXPECT_TRUE(peeled);
}

TEST(OkvsTest, AKeyNotInTheSetDecodesToSomethingElse) {
  const auto all = RandomKeys(401, 6);
  const std::vector<matcher::MatchKey> keys(all.begin(), all.end() - 1);
  const psi::DbNonce nonce = Nonce(13);
  const OkvsPlan plan = PlanFirstThatPeels(keys, nonce, OkvsCellCount(keys.size()));
  const auto values = Values(keys);
  auto table = SolveOkvs(plan, values, Seed(14), 2);
  ASSERT_TRUE(table.ok());
  const psi::Point outsider = Decode(*table, plan, all.back(), nonce);
  EXPECT_NE(outsider, psi::HashToGroup("test/value", all.back()));
  EXPECT_EQ(std::find(values.begin(), values.end(), outsider), values.end());
}

// One key in three cells: its pivot is cell 0 (the first of degree 1), the others are fillers.
// A value that makes the pivot the identity, or equal to a filler, is refused for a retry.
TEST(OkvsTest, AnIdentityOrRepeatedCellAsksForARetry) {
  const auto keys = RandomKeys(1, 7);
  const psi::FillerSeed seed = Seed(15);
  auto plan = PlanOkvs(keys, Nonce(16), 0, 3, 1);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->cells[0], (std::array<std::uint64_t, 3>{0, 1, 2}));
  ASSERT_EQ(plan->pivot[0], 0);
  const psi::Point fillers = *psi::Add(psi::FillerPoint(seed, 1), psi::FillerPoint(seed, 2));
  const psi::Point identity_pivot[] = {fillers};
  EXPECT_EQ(SolveOkvs(*plan, identity_pivot, seed, 1).status().code(),
            StatusCode::kFailedPrecondition);
  const psi::Point repeated_pivot[] = {*psi::Add(fillers, psi::FillerPoint(seed, 1))};
  EXPECT_EQ(SolveOkvs(*plan, repeated_pivot, seed, 1).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(OkvsTest, BadInputsAreRefused) {
  const auto keys = RandomKeys(10, 8);
  EXPECT_EQ(PlanOkvs(keys, Nonce(1), 0, 31, 1).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(PlanOkvs(keys, Nonce(1), 0, 0, 1).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(PlanOkvs(keys, Nonce(1), 0, 9, 1).status().code(), StatusCode::kInvalidInput);
  const OkvsPlan plan = PlanFirstThatPeels(keys, Nonce(1), OkvsCellCount(keys.size()));
  auto values = Values(keys);
  EXPECT_EQ(SolveOkvs(plan, std::span(values).first(9), Seed(1), 1).status().code(),
            StatusCode::kInvalidInput);
  values[4].bytes.fill(0xff);  // not a canonical encoding
  const auto refused = SolveOkvs(plan, values, Seed(1), 1);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(refused.status().message(), "value 4 is not a valid point");
}

}  // namespace
}  // namespace hashveil::hashdb
