#include "inclusion_policy.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <random>
#include <set>

#include "support/synthetic_hashes.h"

namespace hashveil::hashdb {
namespace {

using matcher::PdqHash;
using testing::NearDuplicate;
using testing::RandomPdqHash;

const std::vector<SourceInfo> kSources = {
    {"us-a", "Org A", "US"}, {"us-b", "Org B", "US"}, {"gb", "Org C", "GB"}, {"de", "Org D", "DE"}};

std::vector<PublishedEntry> Apply(const InclusionPolicy& policy, const std::vector<HeldHash>& held) {
  auto set = ApplyInclusionPolicy(policy, kSources, held, 2, nullptr);
  EXPECT_TRUE(set.ok()) << set.status().ToString();
  return set.ok() ? set->entries : std::vector<PublishedEntry>{};
}

class InclusionPolicyTest : public ::testing::Test {
 protected:
  std::mt19937_64 rng_{42};
  const PdqHash a_ = RandomPdqHash(rng_);
  const PdqHash b_ = RandomPdqHash(rng_);
};

TEST_F(InclusionPolicyTest, NeedsMinSourcesFromDistinctJurisdictions) {
  const std::vector<HeldHash> held = {
      {a_, 80, {0, 1}},  // two US sources
      {b_, 80, {0, 2}},  // US and GB
  };
  const auto strict = Apply(InclusionPolicy{}, held);
  ASSERT_EQ(strict.size(), 1u);
  EXPECT_EQ(strict[0].hash, b_);
  EXPECT_EQ(strict[0].sources, (std::vector<std::string>{"gb", "us-a"}));

  InclusionPolicy by_sources;
  by_sources.distinct_jurisdictions = false;
  EXPECT_EQ(Apply(by_sources, held).size(), 2u);

  InclusionPolicy three;
  three.min_sources = 3;
  three.distinct_jurisdictions = false;
  EXPECT_TRUE(Apply(three, held).empty());
}

TEST_F(InclusionPolicyTest, QualityIsTheHighestStatedAndUnknownPasses) {
  const std::vector<HeldHash> held = {
      {a_, 49, {0, 2}},
      {b_, std::nullopt, {0, 2}},
  };
  const auto entries = Apply(InclusionPolicy{}, held);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].hash, b_);
  EXPECT_EQ(entries[0].quality, 0u);  // unknown

  InclusionPolicy lenient;
  lenient.min_quality = 49;
  EXPECT_EQ(Apply(lenient, held).size(), 2u);
}

TEST_F(InclusionPolicyTest, NearDuplicatesAcrossSourcesCountAsOneImage) {
  const PdqHash a_near = NearDuplicate(a_, 31, rng_);
  const PdqHash a_far = NearDuplicate(a_, 32, rng_);
  const std::vector<HeldHash> held = {
      {a_, 90, {0}},
      {a_near, 70, {2}},
      {a_far, 60, {3}},
  };
  const auto entries = Apply(InclusionPolicy{}, held);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].sources, (std::vector<std::string>{"gb", "us-a"}));
}

TEST_F(InclusionPolicyTest, MergesChainsAndPicksTheMostHeldRepresentative) {
  // a ~ m ~ c with a and c 60 apart: one image. m is held by two sources.
  PdqHash m = a_;
  for (int bit = 0; bit < 30; ++bit) m.set_bit(bit, !m.bit(bit));
  PdqHash c = m;
  for (int bit = 30; bit < 60; ++bit) c.set_bit(bit, !c.bit(bit));
  ASSERT_EQ(matcher::HammingDistance(a_, c), 60);
  const std::vector<HeldHash> held = {
      {a_, 90, {0}},
      {c, 95, {3}},
      {m, 60, {1, 2}},
  };
  const auto entries = Apply(InclusionPolicy{}, held);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].hash, m);
  EXPECT_EQ(entries[0].quality, 60u);
  EXPECT_EQ(entries[0].sources, (std::vector<std::string>{"de", "gb", "us-a", "us-b"}));
}

TEST_F(InclusionPolicyTest, TiesGoToTheSmallestHashInHexOrder) {
  const PdqHash near = NearDuplicate(a_, 10, rng_);
  const PdqHash& smaller = HexOrderLess(a_, near) ? a_ : near;
  const auto entries = Apply(InclusionPolicy{}, {{a_, 80, {0}}, {near, 80, {2}}});
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].hash, smaller);
  // The same input in the other order gives the same entry.
  EXPECT_EQ(Apply(InclusionPolicy{}, {{near, 80, {2}}, {a_, 80, {0}}})[0].hash, smaller);
}

TEST_F(InclusionPolicyTest, LowQualityHashesDoNotMergeOrVouch) {
  const PdqHash near = NearDuplicate(a_, 5, rng_);
  const auto entries = Apply(InclusionPolicy{}, {{a_, 80, {0}}, {near, 20, {2}}});
  EXPECT_TRUE(entries.empty());
}

TEST(HexOrderTest, ComparesAsTheHexStrings) {
  std::mt19937_64 rng(9);
  for (int i = 0; i < 200; ++i) {
    const PdqHash x = RandomPdqHash(rng), y = RandomPdqHash(rng);
    EXPECT_EQ(HexOrderLess(x, y), x.ToHex() < y.ToHex());
  }
}

// The policy by definition, all pairs: the reference the indexed version must equal.
std::vector<PublishedEntry> BruteForcePolicy(const InclusionPolicy& policy,
                                             const std::vector<HeldHash>& held) {
  const std::size_t n = held.size();
  std::vector<std::size_t> component(n);
  std::iota(component.begin(), component.end(), 0);
  const auto passes = [&](std::size_t i) {
    return !held[i].quality || *held[i].quality >= policy.min_quality;
  };
  for (bool changed = true; changed;) {  // label propagation to a fixed point
    changed = false;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        if (passes(i) && passes(j) && component[j] < component[i] &&
            matcher::HammingDistance(held[i].hash, held[j].hash) <=
                static_cast<int>(policy.merge_distance)) {
          component[i] = component[j];
          changed = true;
        }
      }
    }
  }
  std::map<std::size_t, std::vector<std::size_t>> members;
  for (std::size_t i = 0; i < n; ++i) {
    if (passes(i)) members[component[i]].push_back(i);
  }
  std::vector<PublishedEntry> entries;
  for (const auto& [root, group] : members) {
    std::set<std::uint32_t> holders;
    for (std::size_t i : group) holders.insert(held[i].holders.begin(), held[i].holders.end());
    std::set<std::string> jurisdictions;
    for (std::uint32_t h : holders) jurisdictions.insert(kSources[h].jurisdiction);
    if ((policy.distinct_jurisdictions ? jurisdictions.size() : holders.size()) <
        policy.min_sources) {
      continue;
    }
    std::size_t best = group[0];
    for (std::size_t i : group) {
      if (held[i].holders.size() > held[best].holders.size() ||
          (held[i].holders.size() == held[best].holders.size() &&
           held[i].hash.ToHex() < held[best].hash.ToHex())) {
        best = i;
      }
    }
    PublishedEntry entry{held[best].hash, held[best].quality.value_or(0), {}};
    for (std::uint32_t h : holders) entry.sources.push_back(kSources[h].name);
    std::sort(entry.sources.begin(), entry.sources.end());
    entries.push_back(entry);
  }
  std::sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) {
    return x.hash.ToHex() < y.hash.ToHex();
  });
  return entries;
}

TEST(InclusionPolicyRandomTest, EqualsTheBruteForcePolicy) {
  std::mt19937_64 rng(2024);
  std::vector<HeldHash> held;
  for (int i = 0; i < 400; ++i) {
    const std::uint32_t source = static_cast<std::uint32_t>(rng() % 4);
    std::optional<std::uint32_t> quality;
    if (rng() % 4 != 0) quality = static_cast<std::uint32_t>(rng() % 101);
    if (i >= 200 && rng() % 2 == 0) {
      // A near-duplicate (sometimes chained) of an earlier hash, held by another source.
      const PdqHash near = NearDuplicate(held[rng() % held.size()].hash,
                                         static_cast<int>(rng() % 40), rng);
      held.push_back({near, quality, {source}});
    } else {
      held.push_back({RandomPdqHash(rng), quality, {source}});
    }
  }
  for (const bool distinct : {true, false}) {
    InclusionPolicy policy;
    policy.distinct_jurisdictions = distinct;
    const auto expected = BruteForcePolicy(policy, held);
    const auto actual = Apply(policy, held);
    EXPECT_FALSE(expected.empty());
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
      EXPECT_EQ(actual[i].hash, expected[i].hash) << i;
      EXPECT_EQ(actual[i].quality, expected[i].quality) << i;
      EXPECT_EQ(actual[i].sources, expected[i].sources) << i;
    }
  }
}

}  // namespace
}  // namespace hashveil::hashdb
