// The device's vouchers and the server's opening (docs/design.md section 5, "What must hold").
#include "hashveil/psi/voucher.h"

#include <gtest/gtest.h>

#include <set>

#include "hashveil/psi/crypto.h"
#include "hashveil/psi/key_hashing.h"
#include "voucher_fixture.h"

namespace hashveil::psi {
namespace {

constexpr std::size_t kHeader = kVoucherHeaderBytes;
constexpr std::size_t kEntry = kPointBytes + kAeadKeyBytes + kSingleUseSealOverhead;

class VoucherBuildTest : public testing::VoucherTest {};

TEST(VoucherPayloadTest, RoundTripsAndRefusesMalformedBytes) {
  VoucherPayload payload;
  payload.hash.words[3] = 0xbeef;
  payload.quality = 77;
  payload.derivative.pixels.data()[5] = 200;
  payload.metadata = {1, 2, 3};
  auto bytes = EncodeVoucherPayload(payload);
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size(), kVoucherPayloadBytes);
  auto decoded = DecodeVoucherPayload(bytes->span());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->hash, payload.hash);
  EXPECT_EQ(decoded->quality, 77);
  EXPECT_EQ(decoded->derivative.pixels.data()[5], 200);
  EXPECT_EQ(decoded->metadata, payload.metadata);

  SecretBytes bad_quality = bytes->Clone();
  bad_quality.data()[32] = 101;
  EXPECT_EQ(DecodeVoucherPayload(bad_quality.span()).status().code(), StatusCode::kCorrupt);
  SecretBytes bad_padding = bytes->Clone();
  bad_padding.data()[kVoucherPayloadBytes - 1] = 1;
  EXPECT_EQ(DecodeVoucherPayload(bad_padding.span()).status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(DecodeVoucherPayload(bytes->span().first(100)).status().code(), StatusCode::kCorrupt);

  payload.metadata.assign(kMaxVoucherMetadataBytes + 1, 0);
  EXPECT_EQ(EncodeVoucherPayload(payload).status().code(), StatusCode::kInvalidInput);
}

TEST_F(VoucherBuildTest, EveryVoucherHasTheSameSizeUnder8KbAtTheDefaults) {
  hashdb::DbBuildOptions options;  // P = 16, c = 2, s = 64
  options.synthetic_rate_ppm = 500'000;
  const auto db = MakeDb(40, options);
  auto account = MakeAccount(*db, "a");
  const auto builder = VoucherBuilder::Create(*db, *account).value();
  const std::size_t expected = builder->shape().total_bytes();
  EXPECT_LE(expected, 8192u);
  EXPECT_EQ(builder->shape().entry_count, 32u);
  for (const auto& member : members_) EXPECT_EQ(Build(*builder, InputFor(member.hash)).size(), expected);
  EXPECT_EQ(Build(*builder, InputFor(testing::RandomHash(*random_))).size(), expected);
  EXPECT_EQ(Build(*builder, InputFor(members_[0].hash, 10)).size(), expected);
  VoucherInput with_metadata = InputFor(members_[1].hash);
  with_metadata.payload.metadata.assign(kMaxVoucherMetadataBytes, 0xaa);
  EXPECT_EQ(Build(*builder, with_metadata).size(), expected);
}

TEST_F(VoucherBuildTest, NoEntryOfANonMemberOpensIn100kOuterEntries) {
  hashdb::DbBuildOptions options;
  options.key_scheme.probes = 64;
  options.cuckoo_functions = 4;
  options.synthetic_rate_ppm = 0;
  const auto [db, account, builder, opener] = MakeClient(500, options);
  std::uint64_t entries = 0;
  std::uint64_t opened = 0;
  while (entries < 100'000) {
    const auto opened_voucher = opener->Open(Build(*builder, InputFor(testing::RandomHash(*random_))));
    ASSERT_TRUE(opened_voucher.ok()) << opened_voucher.status().ToString();
    opened += opened_voucher->opened_entries;
    entries += builder->shape().entry_count;
  }
  EXPECT_EQ(opened, 0u);
}

// Which of its cuckoo slots holds the member's blinded key.
std::size_t SlotIndexOf(const hashdb::ClientDb& db, const hashdb::ServerSecret& secret,
                        const matcher::PdqHash& hash) {
  const auto& params = db.params();
  const auto key = matcher::BaseKeys(hash, params.key_scheme).at(0);
  const Point blinded = Mul(secret.alpha, HashMatchKey(params.db_nonce, key)).value();
  const auto slots = CuckooSlots(params.db_nonce, key, params.slot_count, params.cuckoo_functions);
  for (std::size_t j = 0; j < slots.size(); ++j) {
    if (db.slot(slots[j]) == blinded) return j;
  }
  ADD_FAILURE() << "member not in the table";
  return 0;
}

TEST_F(VoucherBuildTest, AMemberOpensExactlyOneEntryWhicheverSlotHoldsIt) {
  hashdb::DbBuildOptions options;
  options.cuckoo_functions = 2;
  options.synthetic_rate_ppm = 0;
  const auto [db, account, builder, opener] = MakeClient(80, options);
  std::set<std::size_t> slot_indices;
  for (const auto& member : members_) {
    slot_indices.insert(SlotIndexOf(*db, secret_, member.hash));
    const auto opened = opener->Open(Build(*builder, InputFor(member.hash)));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->opened_entries, 1u);
    ASSERT_TRUE(opened->candidate.has_value());
  }
  EXPECT_EQ(slot_indices, (std::set<std::size_t>{0, 1}));  // both slots were exercised
}

TEST_F(VoucherBuildTest, ALowQualityMemberNeverOpens) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 0;
  const auto [db, account, builder, opener] = MakeClient(10, options);
  for (const auto& member : members_) {
    const auto opened = opener->Open(Build(*builder, InputFor(member.hash, 49)));
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(opened->opened_entries, 0u);
  }
}

TEST_F(VoucherBuildTest, SyntheticVouchersOpenOneEntryUpToTheCapThenNone) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 1'000'000;  // every image synthetic until s_max
  options.synthetic_max = 4;
  const auto [db, account, builder, opener] = MakeClient(10, options);
  for (int i = 0; i < 6; ++i) {
    const auto opened = opener->Open(Build(*builder, InputFor(testing::RandomHash(*random_))));
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(opened->opened_entries, i < 4 ? 1u : 0u) << i;
    EXPECT_EQ(opened->candidate.has_value(), i < 4) << i;
  }
  EXPECT_EQ(account->synthetic_count(), 4u);
  // A member made synthetic earlier stays synthetic (one opening entry, a dummy share) — here
  // every member arrives after the cap, so each is real and opens exactly once.
  const auto opened = opener->Open(Build(*builder, InputFor(members_[0].hash)));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->opened_entries, 1u);
}

TEST_F(VoucherBuildTest, TheSameImageYieldsTheSameShareAndTagUnderAFreshId) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 0;
  const auto [db, account, builder, opener] = MakeClient(4, options);
  auto first = opener->Open(Build(*builder, InputFor(members_[0].hash)));
  auto second = opener->Open(Build(*builder, InputFor(members_[0].hash)));
  auto other = opener->Open(Build(*builder, InputFor(members_[1].hash)));
  ASSERT_TRUE(first.ok() && second.ok() && other.ok());
  EXPECT_NE(first->header.id, second->header.id);
  EXPECT_TRUE(first->candidate->share.x.Equals(second->candidate->share.x));
  EXPECT_TRUE(first->candidate->share.y.Equals(second->candidate->share.y));
  EXPECT_EQ(first->candidate->tag, second->candidate->tag);
  EXPECT_FALSE(first->candidate->share.x.Equals(other->candidate->share.x));
  EXPECT_NE(first->candidate->adct, second->candidate->adct);  // fresh nonce: no repeat
}

TEST_F(VoucherBuildTest, MalformedVouchersAreRefusedWithTheirReason) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 0;
  options.epoch = 9;
  const auto [db, account, builder, opener] = MakeClient(4, options);
  const std::vector<std::uint8_t> good = Build(*builder, InputFor(members_[0].hash));
  ASSERT_TRUE(opener->Open(good).ok());

  const VoucherOpener& server = *opener;  // clang 14 cannot capture structured bindings
  auto refused = [&server](std::vector<std::uint8_t> bytes) { return server.Open(bytes).status(); };
  std::vector<std::uint8_t> shorter(good.begin(), good.end() - 1);
  EXPECT_EQ(refused(shorter).code(), StatusCode::kCorrupt);
  EXPECT_EQ(refused({}).code(), StatusCode::kCorrupt);
  auto version = good;
  version[0] = 2;
  EXPECT_EQ(refused(version).code(), StatusCode::kUnsupported);
  auto epoch = good;
  epoch[1] ^= 1;
  EXPECT_EQ(refused(epoch).code(), StatusCode::kFailedPrecondition);
  auto count = good;
  count[kHeader - 4] ^= 1;
  EXPECT_EQ(refused(count).code(), StatusCode::kCorrupt);
  auto middle = good;
  middle[good.size() - 5] ^= 0x40;
  EXPECT_EQ(refused(middle).code(), StatusCode::kCorrupt);
  // A flipped voucher id changes the associated data of every layer: nothing opens any more.
  auto id = good;
  id[10] ^= 1;
  const auto reid = opener->Open(id);
  ASSERT_TRUE(reid.ok());
  EXPECT_FALSE(reid->candidate.has_value());
  // Every single-byte flip is either refused or opens nothing; none crashes or opens wrongly.
  for (std::size_t at = 0; at < good.size(); at += 97) {
    auto flipped = good;
    flipped[at] ^= 0x01;
    const auto opened = opener->Open(flipped);
    if (opened.ok() && opened->candidate) {
      EXPECT_GE(at, kHeader) << "a flipped header byte still opened";
    }
  }
}

TEST_F(VoucherBuildTest, TwoEntriesOpeningToDifferentKeysAreRefused) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 0;
  const auto [db, account, builder, opener] = MakeClient(4, options);
  std::vector<std::uint8_t> voucher = Build(*builder, InputFor(members_[0].hash));
  // An extra entry that opens for the server (Q = beta*G, S = beta*L) to another rkey, put in
  // place of an entry that does not open.
  const auto header = std::span<const std::uint8_t>(voucher).first(kHeader);
  const Scalar beta = Scalar::Random(*random_);
  const Point q = MulBase(beta);
  const AeadKey other_rkey = RandomAeadKey(*random_);
  const auto ct = SealWithSingleUseKey(
      DeriveKeyFromPoint(Mul(beta, db->params().public_point).value()), other_rkey.span(), header);
  for (std::size_t i = 0; i < 2; ++i) {  // one of the first two entries does not open
    auto forged = voucher;
    std::copy(q.bytes.begin(), q.bytes.end(), forged.begin() + kHeader + i * kEntry);
    std::copy(ct.begin(), ct.end(), forged.begin() + kHeader + i * kEntry + kPointBytes);
    const auto opened = opener->Open(forged);
    if (!opened.ok()) {
      EXPECT_EQ(opened.status().message(), "two voucher outer entries open to different keys");
      return;
    }
  }
  FAIL() << "the forged voucher was accepted";
}

}  // namespace
}  // namespace hashveil::psi
