// Protocol v2's "copies count once" (docs/protocol.md 4.1): a real entry's share comes from the
// DB key it opens, so copies of one known image count once whatever their own base keys, and
// an image whose probes open two DB keys is still one image.
//
// A copy here is a member's hash with one bit of its table-0 key flipped and that bit's margin
// the lowest: its base key k0 differs from the DB key, and its first flipped probe is the DB key.
// That is what a re-encode or a resize of a known image does when it flips a fragile key bit.
// Under protocol v1 (share x from k0) every such copy was another image: these tests fail there.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "hashveil/psi/report.h"
#include "hashveil/psi/threshold.h"
#include "voucher_fixture.h"

namespace hashveil::psi {
namespace {

using testing::kAccount;

class CopiesCountOnceTest : public testing::VoucherTest {
 protected:
  // The positions of `scheme`'s table-0 key bits: flipping one changes the base key.
  static std::vector<int> KeyBits(const matcher::KeyScheme& scheme) {
    return matcher::SelectedPositions(scheme, 0);
  }

  // Copy `n` of a hash: n = 0 is a byte-identical re-send; n > 0 flips the n-th key bit and
  // gives it the lowest margin.
  static VoucherInput CopyOf(const matcher::PdqHash& hash, const matcher::KeyScheme& scheme,
                             int n) {
    VoucherInput input = InputFor(hash);
    if (n == 0) return input;
    const int bit = KeyBits(scheme).at(static_cast<std::size_t>(n - 1));
    input.payload.hash.words[bit / 16] ^= static_cast<std::uint16_t>(1u << (bit % 16));
    input.margins[bit] = 0.0f;
    hashveil::testing::SetVariantsToOwnHash(input);
    return input;
  }

  // Builds and opens `copies` copies of each of the first `images` members, in that order, and
  // collects every opened entry as the store would.
  std::vector<StoredCandidate> SendCopies(const Client& client, int images, int copies) {
    std::vector<StoredCandidate> candidates;
    for (int image = 0; image < images; ++image) {
      for (int n = 0; n < copies; ++n) {
        const auto input = CopyOf(members_[image].hash, client.db->params().key_scheme, n);
        auto opened = client.opener->Open(Build(*client.builder, input), kAccount).value();
        EXPECT_EQ(opened.candidates.size(), 1u) << "image " << image << " copy " << n;
        for (Candidate& candidate : opened.candidates) {
          candidates.push_back({opened.header.id, std::move(candidate), opened.header.epoch});
        }
      }
    }
    return candidates;
  }

  static std::size_t DistinctShareX(std::span<const StoredCandidate> candidates) {
    std::set<std::vector<std::uint8_t>> xs;
    for (const StoredCandidate& stored : candidates) {
      xs.emplace(stored.candidate.share.x.bytes().begin(), stored.candidate.share.x.bytes().end());
    }
    return xs.size();
  }
};

TEST_F(CopiesCountOnceTest, CopiesGetOtherBaseKeysButTheDbKeysShare) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 0;
  const Client client = MakeClient(8, options);
  const matcher::KeyScheme& scheme = client.db->params().key_scheme;
  const auto db_key = matcher::BaseKeys(members_[0].hash, scheme).at(0);
  const auto copy = CopyOf(members_[0].hash, scheme, 3);
  EXPECT_NE(matcher::BaseKeys(copy.payload.hash, scheme).at(0), db_key);
  EXPECT_EQ(matcher::ProbeKeys(copy.payload.hash, copy.margins, scheme).at(1), db_key);
  const auto candidates = SendCopies(client, 1, 6);
  ASSERT_EQ(candidates.size(), 6u);
  EXPECT_EQ(DistinctShareX(candidates), 1u);
}

// N copies (re-sends and re-encodes) of t - 1 known images: t - 1 distinct shares, so not even a
// server that ignored the protocol could interpolate, and the honest one opens nothing.
TEST_F(CopiesCountOnceTest, ManyCopiesOfTMinusOneKnownImagesNeverOpen) {
  for (const std::uint32_t t : {3u, 5u}) {
    hashdb::DbBuildOptions options;
    options.threshold = t;
    options.synthetic_rate_ppm = 0;
    const Client client = MakeClient(12, options, "t" + std::to_string(t));
    const auto candidates = SendCopies(client, static_cast<int>(t) - 1, 2 * static_cast<int>(t));
    ASSERT_EQ(candidates.size(), 2u * t * (t - 1));
    EXPECT_EQ(DistinctShareX(candidates), t - 1);
    const auto result = ProcessThreshold(kAccount, candidates, client.opener->shape(), t);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->outcome, ThresholdResult::Outcome::kBelowThreshold);
    EXPECT_EQ(result->distinct_images, t - 1);
    EXPECT_TRUE(result->revealed.empty());
  }
}

// With synthetic vouchers in the mix (p_syn = 50%), copies still never make up the difference.
TEST_F(CopiesCountOnceTest, CopiesAmongSyntheticsStayBelowTheThreshold) {
  hashdb::DbBuildOptions options;
  options.threshold = 3;
  options.synthetic_rate_ppm = 500'000;
  options.synthetic_max = 8;
  const Client client = MakeClient(12, options);
  std::vector<StoredCandidate> candidates;
  for (int i = 0; i < 40; ++i) {
    auto opened =
        client.opener
            ->Open(Build(*client.builder, InputFor(testing::RandomHash(*random_))), kAccount)
            .value();
    for (Candidate& candidate : opened.candidates) {
      candidates.push_back({opened.header.id, std::move(candidate), opened.header.epoch});
    }
  }
  ASSERT_GT(candidates.size(), 3u);  // synthetic ones
  for (int image = 0; image < 2; ++image) {
    for (int n = 0; n < 8; ++n) {
      const auto input = CopyOf(members_[image].hash, client.db->params().key_scheme, n);
      auto opened = client.opener->Open(Build(*client.builder, input), kAccount).value();
      for (Candidate& candidate : opened.candidates) {
        candidates.push_back({opened.header.id, std::move(candidate), opened.header.epoch});
      }
    }
  }
  const auto result = ProcessThreshold(kAccount, candidates, client.opener->shape(), 3);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_NE(result->outcome, ThresholdResult::Outcome::kRevealed);
  EXPECT_TRUE(result->revealed.empty());
}

// t distinct known images, each sent as a copy with another base key, always open; the report
// lists each DB entry once with every voucher that matched it.
TEST_F(CopiesCountOnceTest, TDistinctKnownImagesOpenAndTheReportGroupsVouchersByEntry) {
  hashdb::DbBuildOptions options;
  options.threshold = 3;
  options.synthetic_rate_ppm = 0;
  const Client client = MakeClient(12, options);
  const auto candidates = SendCopies(client, 3, 2);
  auto result = ProcessThreshold(kAccount, candidates, client.opener->shape(), 3);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->outcome, ThresholdResult::Outcome::kRevealed);
  EXPECT_EQ(result->real_images, 3u);
  EXPECT_EQ(result->revealed.size(), 6u);

  const AccountReport report =
      VerifyRevealed({.account = std::string(kAccount)}, std::move(result).value(), members_, 0, 3);
  ASSERT_TRUE(report.reportable());
  const auto json = nlohmann::json::parse(AccountReportJson(report));
  ASSERT_EQ(json["entries"].size(), 3u);
  std::set<std::size_t> entries;
  for (const auto& entry : json["entries"]) {
    entries.insert(entry["db_entry"].get<std::size_t>());
    EXPECT_EQ(entry["voucher_ids"].size(), 2u);
  }
  EXPECT_EQ(entries, (std::set<std::size_t>{0, 1, 2}));
}

// One image whose probes open two DB keys gives two shares under one voucher: one image. With
// t = 2 it stays below the threshold alone and crosses it with a second known image.
TEST_F(CopiesCountOnceTest, AnImageThatOpensTwoDbKeysIsOneImage) {
  hashdb::DbBuildOptions options;
  options.threshold = 2;
  options.synthetic_rate_ppm = 0;
  Client client = MakeClient(8, options);
  const matcher::KeyScheme& scheme = client.db->params().key_scheme;
  // A second DB built from the same members plus a neighbour of member 0: its key differs from
  // member 0's in one bit (the rest of the hash far away, as another known image would be).
  std::vector<hashdb::PublishedEntry> entries = members_;
  hashdb::PublishedEntry neighbour = members_[0];
  const int bit = KeyBits(scheme).at(0);
  neighbour.hash.words[bit / 16] ^= static_cast<std::uint16_t>(1u << (bit % 16));
  for (int i = 0; i < 4; ++i) neighbour.hash.words[15 - i] ^= 0xffff;  // 64 non-key bits
  entries.push_back(neighbour);
  hashdb::DbBuildOptions two_key_options = options;
  two_key_options.threads = 1;
  ASSERT_TRUE(hashdb::BuildClientDb(entries, two_key_options, secret_, publisher_, *random_,
                                    dir_ / "two.hvdb", dir_ / "two.hvdb.proof")
                  .ok());
  const auto db = hashdb::ClientDb::Load(dir_ / "two.hvdb", publisher_.public_key).value();
  const auto builder = VoucherBuilder::Create(*db, *client.account, kAccount).value();
  const auto opener = MakeOpener(*db);

  VoucherInput input = InputFor(members_[0].hash);
  input.margins[bit] = 0.0f;  // the first flip reaches the neighbour's key
  hashveil::testing::SetVariantsToOwnHash(input);
  auto opened = opener->Open(Build(*builder, input), kAccount).value();
  ASSERT_EQ(opened.candidates.size(), 2u);
  std::vector<StoredCandidate> candidates;
  for (Candidate& candidate : opened.candidates) {
    candidates.push_back({opened.header.id, std::move(candidate), opened.header.epoch});
  }
  const auto alone = ProcessThreshold(kAccount, candidates, opener->shape(), 2);
  ASSERT_TRUE(alone.ok()) << alone.status().ToString();
  EXPECT_EQ(alone->distinct_keys, 2u);
  EXPECT_EQ(alone->distinct_images, 1u);
  EXPECT_EQ(alone->outcome, ThresholdResult::Outcome::kBelowThreshold);

  auto second = opener->Open(Build(*builder, InputFor(members_[1].hash)), kAccount).value();
  ASSERT_EQ(second.candidates.size(), 1u);
  candidates.push_back({second.header.id, std::move(second.candidates[0]), second.header.epoch});
  const auto both = ProcessThreshold(kAccount, candidates, opener->shape(), 2);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->outcome, ThresholdResult::Outcome::kRevealed);
  EXPECT_EQ(both->real_images, 2u);
  EXPECT_EQ(both->revealed.size(), 2u);  // each voucher once
}

}  // namespace
}  // namespace hashveil::psi
