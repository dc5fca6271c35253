// The server side: share store, threshold processing with detection, second-stage verification
// and reports (docs/design.md section 5, "What must hold"). Every test that stores runs on both
// share store backends.
#include "hashveil/psi/threshold.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "hashveil/common/hex.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/psi/report.h"
#include "store_backends.h"
#include "voucher_fixture.h"

namespace hashveil::psi {
namespace {

using testing::kAccount;

class ThresholdTest : public testing::VoucherTest {
 protected:
  // Builds, opens and stores one voucher for `account_name`; true when it was new.
  bool Send(const Client& client, const matcher::PdqHash& hash, ShareStore& store,
            const std::string& account_name = "alice") {
    const auto opened = client.opener->Open(Build(*client.builder, InputFor(hash)), kAccount);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    auto stored = store.Record(account_name, *opened);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    return *stored;
  }

  std::unique_ptr<ShareStore> OpenStore(const Client& client) {
    auto store = testing::OpenFreshStore(backend_, dir_);
    EXPECT_TRUE(store->RememberDbParams(Served(*client.db)).ok());
    return store;
  }

  ThresholdResult Process(const Client& client, ShareStore& store,
                          const std::string& account_name = "alice") {
    const auto candidates = store.LoadCandidates(account_name).value();
    auto result = ProcessThreshold(account_name, candidates, VoucherBuilder::ShapeOf(*client.db),
                                   client.db->params().threshold);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return std::move(result).value();
  }

  static std::vector<matcher::PdqHash> HashesOf(const ThresholdResult& result) {
    std::vector<matcher::PdqHash> hashes;
    for (const auto& revealed : result.revealed) hashes.push_back(revealed.payload.hash);
    return hashes;
  }

  testing::StoreBackend backend_ = testing::StoreBackend::kSqlite;
};

class ThresholdStoreTest : public ThresholdTest,
                           public ::testing::WithParamInterface<testing::StoreBackend> {
 protected:
  ThresholdStoreTest() { backend_ = GetParam(); }
};

// t, and the backend.
class ThresholdBoundaryTest
    : public ThresholdTest,
      public ::testing::WithParamInterface<std::tuple<std::uint32_t, testing::StoreBackend>> {
 protected:
  ThresholdBoundaryTest() { backend_ = std::get<1>(GetParam()); }
};

// t-1 real matches reveal nothing whatever the synthetics; the t-th reveals every real payload
// and no synthetic one.
TEST_P(ThresholdBoundaryTest, NothingOpensAtTMinusOneAndEveryRealPayloadAtT) {
  const std::uint32_t t = std::get<0>(GetParam());
  hashdb::DbBuildOptions options;
  options.threshold = t;
  options.synthetic_rate_ppm = 500'000;  // half the images are drawn synthetic
  options.synthetic_max = 3;
  options.key_scheme.probes = 4;
  const Client client = MakeClient(3 * t + 12, options);
  auto store = OpenStore(client);
  while (client.account->synthetic_count() < 3) Send(client, testing::RandomHash(*random_), *store);
  // The members drawn real (the others are withheld now that the cap is reached).
  std::vector<matcher::PdqHash> real_members;
  for (const auto& member : members_) {
    const auto base = matcher::BaseKeys(member.hash, client.db->params().key_scheme).front();
    if (client.account->ChoicesFor(base).synthetic_draw_ppm >= options.synthetic_rate_ppm) {
      real_members.push_back(member.hash);
    }
  }
  ASSERT_GE(real_members.size(), t);
  std::vector<matcher::PdqHash> sent;
  for (std::uint32_t i = 0; i + 1 < t; ++i) {
    sent.push_back(real_members[i]);
    Send(client, real_members[i], *store);
    Send(client, real_members[i], *store);  // the same image again counts once
  }
  ThresholdResult below = Process(client, *store);
  EXPECT_EQ(below.outcome, ThresholdResult::Outcome::kBelowThreshold);
  EXPECT_EQ(below.distinct_images, 3 + t - 1);
  EXPECT_TRUE(below.revealed.empty());

  sent.push_back(real_members[t - 1]);
  Send(client, real_members[t - 1], *store);
  ThresholdResult at = Process(client, *store);
  ASSERT_EQ(at.outcome, ThresholdResult::Outcome::kRevealed);
  EXPECT_EQ(at.real_images, t);
  EXPECT_TRUE(at.unopened.empty());
  std::vector<matcher::PdqHash> revealed = HashesOf(at);
  revealed.erase(std::unique(revealed.begin(), revealed.end()), revealed.end());
  std::sort(revealed.begin(), revealed.end(), [](const auto& a, const auto& b) { return a.words < b.words; });
  std::sort(sent.begin(), sent.end(), [](const auto& a, const auto& b) { return a.words < b.words; });
  EXPECT_EQ(revealed, sent);
  EXPECT_EQ(at.revealed.size(), 2 * (t - 1) + 1);  // each voucher of a real image opened
}

// Synthetic vouchers carry nothing of their image: after the threshold the server holds adkey,
// and no synthetic candidate's inner layer opens under it (it seals zeros under a key nobody
// kept); every real one does.
TEST_P(ThresholdStoreTest, AfterTheRevealSyntheticCandidatesHoldNothing) {
  hashdb::DbBuildOptions options;
  options.threshold = 2;
  options.synthetic_rate_ppm = 500'000;
  options.synthetic_max = 4;
  options.key_scheme.probes = 4;
  const Client client = MakeClient(16, options);
  auto store = OpenStore(client);
  while (client.account->synthetic_count() < 4) Send(client, testing::RandomHash(*random_), *store);
  for (const auto& member : members_) Send(client, member.hash, *store);
  const ThresholdResult result = Process(client, *store);
  ASSERT_EQ(result.outcome, ThresholdResult::Outcome::kRevealed);
  std::set<VoucherId> real_ids;
  for (const auto& revealed : result.revealed) real_ids.insert(revealed.id);
  const AeadKey& adkey = client.account->adkey();  // what the server rebuilt from t shares
  int synthetic = 0, real = 0;
  const std::vector<StoredCandidate> candidates = store->LoadCandidates("alice").value();
  for (const StoredCandidate& stored : candidates) {
    const bool is_real = real_ids.count(stored.id) > 0;
    const auto header = EncodeVoucherHeader({.epoch = client.db->params().epoch,
                                             .id = stored.id,
                                             .entry_count = client.builder->shape().entry_count});
    const auto inner = Open(adkey, stored.candidate.adct,
                            VoucherAssociatedData(header, kAccount, client.db->digest()));
    EXPECT_EQ(inner.ok(), is_real);
    (is_real ? real : synthetic)++;
  }
  EXPECT_EQ(synthetic, 4);
  EXPECT_GE(real, 2);
}

INSTANTIATE_TEST_SUITE_P(Thresholds, ThresholdBoundaryTest,
                         ::testing::Combine(::testing::Values(2u, 3u, 30u),
                                            testing::kStoreBackends),
                         [](const auto& info) {
                           return "t" + std::to_string(std::get<0>(info.param)) + "_" +
                                  testing::StoreBackendName(std::get<1>(info.param));
                         });

TEST_P(ThresholdStoreTest, RepeatsCountOnceAndDistinctImagesTwice) {
  hashdb::DbBuildOptions options;
  options.threshold = 3;
  options.synthetic_rate_ppm = 0;
  options.key_scheme.probes = 4;
  const Client client = MakeClient(4, options);
  auto store = OpenStore(client);
  // The same voucher twice: stored once.
  const auto voucher = Build(*client.builder, InputFor(members_[0].hash));
  const auto opened = client.opener->Open(voucher, kAccount).value();
  EXPECT_TRUE(store->Record("alice", opened).value());
  EXPECT_FALSE(store->Record("alice", opened).value());
  // The same image under a new id, and from another device sharing the account state.
  Send(client, members_[0].hash, *store);
  const AccountStateKey transport;
  const auto blob = client.account->Export(transport, *random_);
  auto other_device = AccountState::Import(
      blob, transport, dir_ / "device2.state", AccountStateKey(),
      {.threshold = 3, .synthetic_max = options.synthetic_max, .synthetic_rate_ppm = 0}, *random_);
  ASSERT_TRUE(other_device.ok()) << other_device.status().ToString();
  const auto other_builder = VoucherBuilder::Create(*client.db, **other_device, kAccount).value();
  const auto from_other = client.opener->Open(Build(*other_builder, InputFor(members_[0].hash)), kAccount);
  EXPECT_TRUE(store->Record("alice", *from_other).value());
  auto counts = store->ListAccounts().value();
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].vouchers, 3u);
  EXPECT_EQ(counts[0].candidates, 3u);
  EXPECT_EQ(counts[0].distinct_shares, 1u);
  // Two distinct matching images count twice.
  Send(client, members_[1].hash, *store);
  EXPECT_EQ(store->ListAccounts().value()[0].distinct_shares, 2u);
  EXPECT_EQ(Process(client, *store).outcome, ThresholdResult::Outcome::kBelowThreshold);
  Send(client, members_[2].hash, *store);
  EXPECT_EQ(Process(client, *store).outcome, ThresholdResult::Outcome::kRevealed);
}

// Another account's real vouchers under this account's name carry tags outside its hkey's span:
// to detection they are synthetics. More than s_max of them: flagged, nothing lost.
TEST_P(ThresholdStoreTest, MoreSyntheticsThanTheCapAreFlaggedAndNothingIsLost) {
  hashdb::DbBuildOptions options;
  options.threshold = 3;
  options.synthetic_rate_ppm = 0;
  options.synthetic_max = 2;
  options.key_scheme.probes = 4;
  const Client client = MakeClient(8, options);
  auto store = OpenStore(client);
  auto intruder = MakeAccount(*client.db, "intruder");
  const auto intruder_builder = VoucherBuilder::Create(*client.db, *intruder, kAccount).value();
  for (int i = 0; i < 3; ++i) Send(client, members_[i].hash, *store);
  for (int i = 3; i < 6; ++i) {
    const auto opened = client.opener->Open(Build(*intruder_builder, InputFor(members_[i].hash)), kAccount);
    ASSERT_TRUE(store->Record("alice", *opened).value());
  }
  const ThresholdResult flagged = Process(client, *store);
  EXPECT_EQ(flagged.outcome, ThresholdResult::Outcome::kTooManySynthetics);
  EXPECT_TRUE(flagged.revealed.empty());
  EXPECT_EQ(store->LoadCandidates("alice").value().size(), 6u);  // nothing lost
}

TEST_P(ThresholdStoreTest, MalformedVouchersAreCountedAndLeaveTheStoreIntact) {
  hashdb::DbBuildOptions options;
  options.threshold = 2;
  options.synthetic_rate_ppm = 0;
  options.key_scheme.probes = 4;
  const Client client = MakeClient(4, options);
  auto store = OpenStore(client);
  Send(client, members_[0].hash, *store);
  const auto good = Build(*client.builder, InputFor(members_[1].hash));
  // What the public checks refuse.
  std::vector<std::vector<std::uint8_t>> malformed = {
      {}, std::vector<std::uint8_t>(good.begin(), good.end() - 3), good, good};
  malformed[2][0] = 9;                 // version
  malformed[3][3] ^= 1;                // epoch
  for (const auto& bytes : malformed) {
    const auto opened = client.opener->Open(bytes, kAccount);
    ASSERT_FALSE(opened.ok());
    EXPECT_FALSE(opened.status().message().empty());
    ASSERT_TRUE(store->RecordRefused("alice").ok());
  }
  // A damaged middle layer only shows after opening: recorded as inconsistent, not refused.
  auto damaged = Build(*client.builder, InputFor(members_[2].hash));
  damaged[good.size() - 1] ^= 1;
  const auto inconsistent = client.opener->Open(damaged, kAccount);
  ASSERT_TRUE(inconsistent.ok());
  EXPECT_NE(inconsistent->inconsistency, nullptr);
  EXPECT_TRUE(inconsistent->candidates.empty());
  ASSERT_TRUE(store->Record("alice", *inconsistent).value());
  EXPECT_EQ(store->Record("../evil", client.opener->Open(good, kAccount).value()).status().code(),
            StatusCode::kInvalidInput);
  const auto counts = store->ListAccounts().value();
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].vouchers, 2u);
  EXPECT_EQ(counts[0].refused, 4u);
  EXPECT_EQ(counts[0].inconsistent, 1u);
  EXPECT_EQ(store->LoadCandidates("alice").value().size(), 1u);
  Send(client, members_[1].hash, *store);
  EXPECT_EQ(Process(client, *store).outcome, ThresholdResult::Outcome::kRevealed);
}

TEST(ShareStoreTest, AccountNamesAreSafeFileNames) {
  EXPECT_TRUE(IsValidAccountName("alice-1.b_C"));
  EXPECT_TRUE(IsValidAccountName(std::string(128, 'a')));
  for (const std::string bad : {"", ".hidden", "a/b", "..", "a b", "caf\xc3\xa9"}) {
    EXPECT_FALSE(IsValidAccountName(bad)) << bad;
  }
  EXPECT_FALSE(IsValidAccountName(std::string(129, 'a')));
}

// One DB per epoch: another DB under the served epoch, or an older epoch, is refused.
TEST_P(ThresholdStoreTest, AStoreRefusesAnotherDbOfItsEpochOrAnOlderOne) {
  hashdb::DbBuildOptions options;
  options.key_scheme.probes = 4;
  options.epoch = 5;
  const Client client = MakeClient(2, options);
  auto store = OpenStore(client);
  ServedDbParams other = Served(*client.db);
  other.threshold += 1;
  EXPECT_EQ(store->RememberDbParams(other).code(), StatusCode::kFailedPrecondition);
  other = Served(*client.db);
  other.shape.epoch -= 1;
  EXPECT_EQ(store->RememberDbParams(other).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*store->LoadDbParams().value(), Served(*client.db));
}

// Below the threshold, a simple classifier over what the server sees of a candidate (voucher
// size, opening count, the bytes of its share and tag) does no better than chance. At the
// default P and c, so the voucher is the one devices send.
TEST_F(ThresholdTest, RealAndSyntheticCandidatesAreIndistinguishableBelowTheThreshold) {
  constexpr int kPerClass = 400;
  constexpr int kAccounts = 4;  // each makes s_max = 100 distinct images synthetic
  hashdb::DbBuildOptions options;
  options.threshold = 10;  // no processing here: only what the server sees below it
  // Half the images are drawn synthetic: random non-members until the cap gives the synthetic
  // candidates; after it, the members drawn real give the real ones (those drawn synthetic are
  // withheld and open nothing).
  options.synthetic_rate_ppm = 500'000;
  options.synthetic_max = kPerClass / kAccounts;
  ASSERT_EQ(options.key_scheme.probes, 48u);
  const Client client = MakeClient(1000, options);
  struct Sample {
    std::vector<std::uint8_t> features;
    bool real;
  };
  std::vector<Sample> samples;
  // Adds the voucher's candidate as a sample; false when nothing opened.
  auto add = [&](const VoucherBuilder& builder, const matcher::PdqHash& hash, bool real) {
    const auto voucher = Build(builder, InputFor(hash));
    const auto opened = client.opener->Open(voucher, kAccount).value();
    if (opened.candidates.size() != 1) return false;
    Sample sample{{static_cast<std::uint8_t>(voucher.size() & 0xff),
                   static_cast<std::uint8_t>(voucher.size() >> 8),
                   static_cast<std::uint8_t>(opened.opened_entries)},
                  real};
    const auto& c = opened.candidates.front();
    sample.features.insert(sample.features.end(), c.share.x.bytes().begin(), c.share.x.bytes().end());
    sample.features.insert(sample.features.end(), c.share.y.bytes().begin(), c.share.y.bytes().end());
    const auto tag = EncodeTag(c.tag);
    sample.features.insert(sample.features.end(), tag.begin(), tag.begin() + 64);
    samples.push_back(std::move(sample));
    return true;
  };
  std::size_t next_member = 0;
  for (int a = 0; a < kAccounts; ++a) {
    auto account = MakeAccount(*client.db, "account" + std::to_string(a));
    const auto builder = VoucherBuilder::Create(*client.db, *account, kAccount).value();
    while (account->synthetic_count() < options.synthetic_max) {
      add(*builder, testing::RandomHash(*random_), false);
    }
    for (std::uint32_t real = 0; real < options.synthetic_max;) {
      ASSERT_LT(next_member, members_.size());
      real += add(*builder, members_[next_member++].hash, true);
    }
  }
  ASSERT_EQ(samples.size(), 2u * kPerClass);
  // Interleaved so that the even (training) and odd (test) halves each hold both classes evenly.
  std::vector<Sample> interleaved;
  for (std::size_t i = 0; i < samples.size() / 2; ++i) {
    const std::size_t account = i / options.synthetic_max;
    const std::size_t within = i % options.synthetic_max;
    const std::size_t synthetic = account * 2 * options.synthetic_max + within;
    const std::size_t real = synthetic + options.synthetic_max;
    interleaved.push_back(samples[i % 2 == 0 ? synthetic : real]);
    interleaved.push_back(samples[i % 2 == 0 ? real : synthetic]);
  }
  samples = std::move(interleaved);

  // Decision stumps per feature: trained on even samples, scored on odd ones.
  double best = 0;
  const std::size_t features = samples[0].features.size();
  for (std::size_t f = 0; f < features; ++f) {
    double best_threshold_accuracy = 0;
    int chosen = 0;
    bool chosen_above_is_real = true;
    for (int threshold = 0; threshold <= 256; threshold += 16) {
      for (bool above_is_real : {true, false}) {
        int right = 0, total = 0;
        for (std::size_t i = 0; i < samples.size(); i += 2, ++total) {
          right += ((samples[i].features[f] >= threshold) == above_is_real) == samples[i].real;
        }
        const double accuracy = static_cast<double>(right) / total;
        if (accuracy > best_threshold_accuracy) {
          best_threshold_accuracy = accuracy;
          chosen = threshold;
          chosen_above_is_real = above_is_real;
        }
      }
    }
    int right = 0, total = 0;
    for (std::size_t i = 1; i < samples.size(); i += 2, ++total) {
      right += ((samples[i].features[f] >= chosen) == chosen_above_is_real) == samples[i].real;
    }
    best = std::max(best, static_cast<double>(right) / total);
  }
  // 400 test samples: chance is 0.5 with a standard deviation of 0.025; the best of ~160
  // features stays under 0.58 by chance. A leak (e.g. a different size) would give 1.0.
  EXPECT_LT(best, 0.62);
}

// Only verified matches reach a reviewer, and only once t distinct DB entries verify: a payload
// that verifies against no original (a key collision) is counted, never shown.
TEST_P(ThresholdStoreTest, ReportsHoldOnlyVerifiedMatchesOfTDistinctEntries) {
  hashdb::DbBuildOptions options;
  options.threshold = 2;
  options.synthetic_rate_ppm = 0;
  options.key_scheme.probes = 4;
  const Client client = MakeClient(3, options);
  auto store = OpenStore(client);
  Send(client, members_[0].hash, *store);
  Send(client, members_[1].hash, *store);
  const ThresholdResult revealed = Process(client, *store);
  ASSERT_EQ(revealed.revealed.size(), 2u);
  const VoucherId first_id = revealed.revealed[0].id;
  const VoucherId second_id = revealed.revealed[1].id;
  const auto counts = store->ListAccounts().value().at(0);
  auto reveal_again = [&] { return Process(client, *store); };

  // The server's originals: the first within distance 31 of what was sent, the second far.
  std::vector<hashdb::PublishedEntry> originals = members_;
  for (int bit = 0; bit < 20; ++bit) originals[0].hash.set_bit(bit * 7, !originals[0].hash.bit(bit * 7));
  for (int bit = 0; bit < 120; ++bit) originals[1].hash.set_bit(bit * 2, !originals[1].hash.bit(bit * 2));
  originals.erase(originals.begin() + 2);
  const AccountReport one = VerifyRevealed(counts, reveal_again(), originals,
                                           client.db->params().epoch, 2);
  ASSERT_EQ(one.matches.size(), 1u);
  EXPECT_EQ(one.matches[0].voucher.id, first_id);
  EXPECT_EQ(one.matches[0].distance, 20);
  EXPECT_EQ(one.matches[0].entry, 0u);
  EXPECT_EQ(one.matches[0].sources, (std::vector<std::string>{"src-a", "src-b"}));
  EXPECT_EQ(one.unverified, 1u);
  EXPECT_FALSE(one.reportable());
  EXPECT_EQ(WriteAccountReport(one, dir_).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "alice.json"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / ("alice." + ToHex(first_id) + ".png")));

  // Two vouchers of one DB entry are one entry: still below t = 2.
  std::vector<hashdb::PublishedEntry> one_entry = {originals[0]};
  one_entry[0].hash = members_[0].hash;
  ThresholdResult twice = reveal_again();
  twice.revealed[1].payload.hash = twice.revealed[0].payload.hash;
  EXPECT_FALSE(VerifyRevealed(counts, std::move(twice), one_entry, 1, 2).reportable());

  // Both near their originals: two distinct entries verify, and the report is written.
  originals[1].hash = members_[1].hash;
  const AccountReport both = VerifyRevealed(counts, reveal_again(), originals,
                                            client.db->params().epoch, 2);
  ASSERT_TRUE(both.reportable());
  ASSERT_TRUE(WriteAccountReport(both, dir_).ok());
  const auto json = ReadFileBytes(dir_ / "alice.json", 1 << 20).value();
  const std::string text(json.begin(), json.end());
  EXPECT_NE(text.find("\"verified\": 2"), std::string::npos) << text;
  EXPECT_NE(text.find("\"verified_entries\": 2"), std::string::npos) << text;
  for (const VoucherId& id : {first_id, second_id}) {
    const auto png = ReadFileBytes(dir_ / ("alice." + ToHex(id) + ".png"), 1 << 20).value();
    ASSERT_GT(png.size(), 8u);
    EXPECT_EQ(png[1], 'P');  // \x89PNG
  }
  // Owner-only, and rewritten in place when the account's counts change.
  const auto owner_only = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
  EXPECT_EQ(std::filesystem::status(dir_ / "alice.json").permissions() & std::filesystem::perms::all,
            owner_only);
  EXPECT_TRUE(WriteAccountReport(both, dir_).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, ThresholdStoreTest, testing::kStoreBackends,
                         testing::StoreBackendParamName());

}  // namespace
}  // namespace hashveil::psi
