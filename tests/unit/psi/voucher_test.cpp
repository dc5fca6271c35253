// The device's vouchers and the server's opening (docs/design.md section 5, "What must hold").
#include "hashveil/psi/voucher.h"

#include <gtest/gtest.h>

#include <set>

#include "hashveil/psi/crypto.h"
#include "hashveil/psi/key_hashing.h"
#include "voucher_fixture.h"

namespace hashveil::psi {
namespace {

using testing::kAccount;

constexpr std::size_t kHeader = kVoucherHeaderBytes;

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

TEST_F(VoucherBuildTest, EveryVoucherHasTheSameSizeOneEntryPerProbe) {
  hashdb::DbBuildOptions options;  // P = 48, s = 64
  options.synthetic_rate_ppm = 500'000;
  const auto db = MakeDb(40, options);
  auto account = MakeAccount(*db, "a");
  const auto builder = VoucherBuilder::Create(*db, *account, kAccount).value();
  const std::size_t expected = builder->shape().total_bytes();
  EXPECT_EQ(builder->shape().entry_count, 48u);
  // Per entry: Q, then rkey || tag (x' and s values) || share x || share y, sealed.
  EXPECT_EQ(builder->shape().outer_entry_bytes(),
            kPointBytes + kAeadKeyBytes + 8 * (64 + 1) + 2 * kScalarBytes + kSingleUseSealOverhead);
  EXPECT_EQ(expected,
            kHeader + 48 * builder->shape().outer_entry_bytes() + builder->shape().middle_bytes());
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
  options.synthetic_rate_ppm = 0;
  const auto [db, account, builder, opener] = MakeClient(500, options);
  std::uint64_t entries = 0;
  std::uint64_t opened = 0;
  while (entries < 100'000) {
    const auto opened_voucher = opener->Open(Build(*builder, InputFor(testing::RandomHash(*random_))), kAccount);
    ASSERT_TRUE(opened_voucher.ok()) << opened_voucher.status().ToString();
    opened += opened_voucher->opened_entries;
    entries += builder->shape().entry_count;
  }
  EXPECT_EQ(opened, 0u);
}

// A member's base key decodes to alpha*H(key); its voucher opens exactly that probe's entry, and
// the entry's share is the key's identity in the account, whichever copy was sent.
TEST_F(VoucherBuildTest, AMemberOpensExactlyItsKeysEntryWithTheKeysShare) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 0;
  const auto [db, account, builder, opener] = MakeClient(80, options);
  for (const auto& member : members_) {
    const auto key = matcher::BaseKeys(member.hash, db->params().key_scheme).at(0);
    EXPECT_EQ(db->ProbeValue(key).value().Encode(),
              Mul(secret_.alpha, HashMatchKey(db->params().db_nonce, key)).value());
    const auto opened = opener->Open(Build(*builder, InputFor(member.hash)), kAccount);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->opened_entries, 1u);
    ASSERT_EQ(opened->candidates.size(), 1u);
    const KeyIdentity identity = account->IdentityOf(key);
    EXPECT_TRUE(opened->candidates[0].share.x.Equals(identity.share_x));
    EXPECT_EQ(opened->candidates[0].tag.x, identity.tag_x);
  }
}

TEST_F(VoucherBuildTest, ALowQualityMemberNeverOpens) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 0;
  const auto [db, account, builder, opener] = MakeClient(10, options);
  for (const auto& member : members_) {
    const auto opened = opener->Open(Build(*builder, InputFor(member.hash, 49)), kAccount);
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
    const auto opened = opener->Open(Build(*builder, InputFor(testing::RandomHash(*random_))), kAccount);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(opened->opened_entries, i < 4 ? 1u : 0u) << i;
    EXPECT_EQ(opened->candidates.size(), i < 4 ? 1u : 0u) << i;
  }
  EXPECT_EQ(account->synthetic_count(), 4u);
  // An image drawn synthetic never gets a real share, not even after the cap: a member arriving
  // now is withheld (nothing opens), so no device of the account could ever send it real after
  // another sent it synthetic (docs/protocol.md, "Synthetic vouchers").
  const auto opened = opener->Open(Build(*builder, InputFor(members_[0].hash)), kAccount);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->opened_entries, 0u);
}

// Two devices of one account, one of them past the cap (or a device and its restored backup):
// the same matching image gets a synthetic voucher from one and a withheld one from the other,
// never a real one, so the server never sees two different y for one x.
TEST_F(VoucherBuildTest, OneImageNeverGetsARealAndASyntheticShare) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 500'000;
  options.synthetic_max = 2;
  const auto [db, account, builder, opener] = MakeClient(40, options);
  const AccountStateKey transport;
  const auto blob = account->Export(transport, *random_);
  auto laptop = AccountState::Import(blob, transport, dir_ / "laptop.state", AccountStateKey(),
                                     account->params(), *random_);
  ASSERT_TRUE(laptop.ok()) << laptop.status().ToString();
  const auto laptop_builder = VoucherBuilder::Create(*db, **laptop, kAccount).value();
  // The phone reaches its cap on other images; the laptop has made none synthetic.
  while (account->synthetic_count() < 2) Build(*builder, InputFor(testing::RandomHash(*random_)));
  int drawn_synthetic = 0;
  for (const auto& member : members_) {
    const auto phone = opener->Open(Build(*builder, InputFor(member.hash)), kAccount).value();
    const auto other = opener->Open(Build(*laptop_builder, InputFor(member.hash)), kAccount).value();
    if (!phone.candidates.empty() && !other.candidates.empty()) {
      // Both real: the same share. (Both synthetic cannot happen here: the phone is capped.)
      EXPECT_TRUE(phone.candidates[0].share.y.Equals(other.candidates[0].share.y));
    } else {
      // The phone withheld it, the laptop made it synthetic (until its own cap).
      EXPECT_TRUE(phone.candidates.empty());
      drawn_synthetic += 1;
    }
  }
  EXPECT_GT(drawn_synthetic, 0);
}

// The account name and the DB digest are in every layer's associated data: a voucher filed under
// another account, or opened for another DB, opens nothing (and is not refused: that would say
// that something had opened).
TEST_F(VoucherBuildTest, AVoucherOpensOnlyForItsAccountAndItsDb) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 0;
  const auto [db, account, builder, opener] = MakeClient(4, options);
  const auto voucher = Build(*builder, InputFor(members_[0].hash));
  ASSERT_EQ(opener->Open(voucher, kAccount)->candidates.size(), 1u);
  const auto elsewhere = opener->Open(voucher, "mallory");
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(elsewhere->opened_entries, 0u);
  VoucherShape other_db = builder->shape();
  other_db.db_digest[0] ^= 1;
  const auto other = VoucherOpener::Create(other_db, secret_.alpha).value()->Open(voucher, kAccount);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->opened_entries, 0u);
}

TEST_F(VoucherBuildTest, TheSameImageYieldsTheSameShareAndTagUnderAFreshId) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 0;
  const auto [db, account, builder, opener] = MakeClient(4, options);
  auto first = opener->Open(Build(*builder, InputFor(members_[0].hash)), kAccount);
  auto second = opener->Open(Build(*builder, InputFor(members_[0].hash)), kAccount);
  auto other = opener->Open(Build(*builder, InputFor(members_[1].hash)), kAccount);
  ASSERT_TRUE(first.ok() && second.ok() && other.ok());
  EXPECT_NE(first->header.id, second->header.id);
  ASSERT_EQ(first->candidates.size(), 1u);
  ASSERT_EQ(second->candidates.size(), 1u);
  ASSERT_EQ(other->candidates.size(), 1u);
  EXPECT_TRUE(first->candidates[0].share.x.Equals(second->candidates[0].share.x));
  EXPECT_TRUE(first->candidates[0].share.y.Equals(second->candidates[0].share.y));
  EXPECT_EQ(first->candidates[0].tag, second->candidates[0].tag);
  EXPECT_FALSE(first->candidates[0].share.x.Equals(other->candidates[0].share.x));
  EXPECT_NE(first->candidates[0].adct, second->candidates[0].adct);  // fresh nonce: no repeat
}

// Only the public checks refuse, each with its reason; what shows only after opening (a damaged
// middle layer) is accepted and recorded as inconsistent, so refusals never depend on the DB.
TEST_F(VoucherBuildTest, OnlyThePublicChecksRefuseAVoucher) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 0;
  options.epoch = 9;
  const auto [db, account, builder, opener] = MakeClient(4, options);
  const std::vector<std::uint8_t> good = Build(*builder, InputFor(members_[0].hash));
  ASSERT_TRUE(opener->Open(good, kAccount).ok());

  const VoucherOpener& server = *opener;  // clang 14 cannot capture structured bindings
  auto refused = [&server](std::vector<std::uint8_t> bytes) {
    return server.Open(bytes, kAccount).status();
  };
  std::vector<std::uint8_t> shorter(good.begin(), good.end() - 1);
  EXPECT_EQ(refused(shorter).code(), StatusCode::kCorrupt);
  EXPECT_EQ(refused({}).code(), StatusCode::kCorrupt);
  auto version = good;
  for (const std::uint8_t old : {1, 2}) {  // before accounts were bound; protocol 1
    version[0] = old;
    EXPECT_EQ(refused(version).code(), StatusCode::kUnsupported) << int{old};
  }
  // A protocol-1 voucher as sent (version 2, 5,112 bytes at P = 16, c = 2) is named as such.
  std::vector<std::uint8_t> protocol_one(5112);
  protocol_one[0] = 2;
  EXPECT_EQ(refused(protocol_one).code(), StatusCode::kUnsupported);
  auto epoch = good;
  epoch[1] ^= 1;
  EXPECT_EQ(refused(epoch).code(), StatusCode::kFailedPrecondition);
  auto count = good;
  count[kHeader - 4] ^= 1;
  EXPECT_EQ(refused(count).code(), StatusCode::kCorrupt);
  auto point = good;
  std::fill_n(point.begin() + kHeader, kPointBytes, 0xff);  // not a valid encoding
  EXPECT_EQ(refused(point).code(), StatusCode::kCorrupt);
  auto middle = good;
  middle[good.size() - 5] ^= 0x40;
  const auto damaged = opener->Open(middle, kAccount);
  ASSERT_TRUE(damaged.ok());
  EXPECT_EQ(damaged->opened_entries, 1u);
  EXPECT_TRUE(damaged->candidates.empty());
  EXPECT_STREQ(damaged->inconsistency, "middle layer does not open");
  // A flipped voucher id changes the associated data of every layer: nothing opens any more.
  auto id = good;
  id[10] ^= 1;
  const auto reid = opener->Open(id, kAccount);
  ASSERT_TRUE(reid.ok());
  EXPECT_TRUE(reid->candidates.empty());
  // Every single-byte flip is either refused or opens nothing; none crashes or opens wrongly.
  for (std::size_t at = 0; at < good.size(); at += 97) {
    auto flipped = good;
    flipped[at] ^= 0x01;
    const auto opened = opener->Open(flipped, kAccount);
    if (opened.ok() && !opened->candidates.empty()) {
      EXPECT_GE(at, kHeader) << "a flipped header byte still opened";
    }
  }
}

TEST_F(VoucherBuildTest, TwoEntriesOpeningToDifferentKeysAreInconsistentNotRefused) {
  hashdb::DbBuildOptions options;
  options.synthetic_rate_ppm = 0;
  const auto [db, account, builder, opener] = MakeClient(4, options);
  std::vector<std::uint8_t> voucher = Build(*builder, InputFor(members_[0].hash));
  // An extra entry that opens for the server (Q = beta*G, S = beta*L) to another rkey, put in
  // place of an entry that does not open.
  const auto ad = VoucherAssociatedData(std::span<const std::uint8_t>(voucher).first<kHeader>(),
                                        kAccount, builder->shape().db_digest);
  const Scalar beta = Scalar::Random(*random_);
  const Point q = MulBase(beta);
  const std::size_t entry_bytes = builder->shape().outer_entry_bytes();
  std::vector<std::uint8_t> other_rkey(builder->shape().entry_plaintext_bytes());
  random_->Fill(std::span<std::uint8_t>(other_rkey).first(kAeadKeyBytes));
  const auto ct = SealWithSingleUseKey(
      DeriveKeyFromPoint(Mul(beta, db->params().public_point).value()), other_rkey, ad);
  for (std::size_t i = 0; i < 2; ++i) {  // one of the first two entries does not open
    auto forged = voucher;
    std::copy(q.bytes.begin(), q.bytes.end(), forged.begin() + kHeader + i * entry_bytes);
    std::copy(ct.begin(), ct.end(), forged.begin() + kHeader + i * entry_bytes + kPointBytes);
    const auto opened = opener->Open(forged, kAccount);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    if (opened->opened_entries == 2) {
      EXPECT_STREQ(opened->inconsistency, "outer entries open to different keys");
      EXPECT_TRUE(opened->candidates.empty());
      return;
    }
  }
  FAIL() << "the forged entry replaced the opening one both times";
}

}  // namespace
}  // namespace hashveil::psi
