#include "hashveil/scanner.h"

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "scanner_fixture.h"

namespace hashveil::testing {
namespace {

std::vector<std::uint8_t> EncodePng(const TestImage& image) {
  const cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.rgb.data()));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<std::uint8_t> png;
  EXPECT_TRUE(cv::imencode(".png", bgr, png));
  return png;
}

std::vector<std::uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

// The candidates of opened vouchers, as the server's store would hand them to threshold
// processing.
std::vector<psi::StoredCandidate> Candidates(std::vector<psi::OpenedVoucher> opened) {
  std::vector<psi::StoredCandidate> candidates;
  for (psi::OpenedVoucher& voucher : opened) {
    for (psi::Candidate& candidate : voucher.candidates) {
      candidates.push_back({voucher.header.id, std::move(candidate)});
    }
  }
  return candidates;
}

TEST_F(ScannerTest, MissingDbIsNotFound) {
  ScannerOptions options = Options("alice");
  options.db_path = dir_ / "absent.hvdb";
  auto scanner = Scanner::Create(options);
  ASSERT_FALSE(scanner.ok());
  EXPECT_EQ(scanner.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(scanner.status().message().find(dir_.string()), std::string::npos);
}

TEST_F(ScannerTest, DbSignedByAnotherPublisherIsRefused) {
  ScannerOptions options = Options("alice");
  options.publisher[0] ^= 1;
  auto scanner = Scanner::Create(options);
  ASSERT_FALSE(scanner.ok());
  EXPECT_EQ(scanner.status().code(), StatusCode::kCorrupt);
  EXPECT_FALSE(std::filesystem::exists(options.account_state_path));
}

TEST_F(ScannerTest, WrongAccountKeyIsCorrupt) {
  ASSERT_NE(MakeScanner("alice"), nullptr);
  ScannerOptions options = Options("alice");
  options.account_key.data()[0] ^= 1;
  auto scanner = Scanner::Create(options);
  ASSERT_FALSE(scanner.ok());
  EXPECT_EQ(scanner.status().code(), StatusCode::kCorrupt);
}

TEST_F(ScannerTest, AccountIsCreatedOnceAndLockedWhileInUse) {
  {
    auto scanner = MakeScanner("alice");
    ASSERT_NE(scanner, nullptr);
    EXPECT_TRUE(scanner->account_created());
    auto second = Scanner::Create(Options("alice"));
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  }
  auto reopened = MakeScanner("alice");
  ASSERT_NE(reopened, nullptr);
  EXPECT_FALSE(reopened->account_created());
  EXPECT_EQ(reopened->db_params().threshold, kThreshold);
}

TEST_F(ScannerTest, MemberPixelsOpenForTheServerAndOthersDoNot) {
  auto scanner = MakeScanner("alice");
  ASSERT_NE(scanner, nullptr);
  auto member = scanner->ScanPixels(members_[0].view(), {});
  ASSERT_TRUE(member.ok()) << member.status().ToString();
  EXPECT_EQ(member->size(), scanner->voucher_size());
  EXPECT_EQ(member->size(), shape_.total_bytes());
  EXPECT_FALSE(Open(*member).candidates.empty());

  auto other = scanner->ScanPixels(MakeTestImage(999).view(), {});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->size(), scanner->voucher_size());
  EXPECT_TRUE(Open(*other).candidates.empty());
}

TEST_F(ScannerTest, EncodedMemberImageOpens) {
  auto scanner = MakeScanner("alice");
  ASSERT_NE(scanner, nullptr);
  auto voucher = scanner->Scan(EncodePng(members_[1]), Bytes("message 1"));
  ASSERT_TRUE(voucher.ok()) << voucher.status().ToString();
  EXPECT_FALSE(Open(*voucher).candidates.empty());
}

TEST_F(ScannerTest, BadInputIsRefusedWithItsCode) {
  auto scanner = MakeScanner("alice");
  ASSERT_NE(scanner, nullptr);
  const std::vector<std::uint8_t> too_long(psi::kMaxVoucherMetadataBytes + 1, 'm');
  EXPECT_EQ(scanner->Scan(EncodePng(members_[0]), too_long).status().code(),
            StatusCode::kInvalidInput);
  EXPECT_EQ(scanner->ScanPixels(members_[0].view(), too_long).status().code(),
            StatusCode::kInvalidInput);
  EXPECT_EQ(scanner->Scan(Bytes("not an image at all"), {}).status().code(),
            StatusCode::kUnsupported);
  std::vector<std::uint8_t> truncated = EncodePng(members_[0]);
  truncated.resize(truncated.size() / 2);
  EXPECT_EQ(scanner->Scan(truncated, {}).status().code(), StatusCode::kCorrupt);
  matcher::ImageView bad_stride = members_[0].view();
  bad_stride.stride = 3;
  EXPECT_EQ(scanner->ScanPixels(bad_stride, {}).status().code(), StatusCode::kInvalidInput);

  ScannerOptions small = Options("bob");
  small.decode.max_pixels = 100;
  auto bounded = Scanner::Create(small);
  ASSERT_TRUE(bounded.ok()) << bounded.status().ToString();
  EXPECT_EQ((*bounded)->Scan(EncodePng(members_[0]), {}).status().code(),
            StatusCode::kResourceExhausted);
}

TEST_F(ScannerTest, AccountCrossesTheThresholdAtTDistinctImagesAndRevealsMetadata) {
  auto scanner = MakeScanner("alice");
  ASSERT_NE(scanner, nullptr);
  std::vector<psi::OpenedVoucher> opened;
  const auto scan = [&](int member, const std::string& metadata) {
    auto voucher = scanner->ScanPixels(members_[member].view(), Bytes(metadata));
    ASSERT_TRUE(voucher.ok()) << voucher.status().ToString();
    opened.push_back(Open(*voucher));
  };
  scan(0, "m0");
  scan(1, "m1");
  scan(1, "m1 again");  // the same image twice counts once
  ASSERT_TRUE(scanner->ScanPixels(MakeTestImage(999).view(), {}).ok());  // opens nothing
  auto below = psi::ProcessThreshold("alice", Candidates(std::move(opened)), shape_, kThreshold);
  ASSERT_TRUE(below.ok()) << below.status().ToString();
  EXPECT_EQ(below->outcome, psi::ThresholdResult::Outcome::kBelowThreshold);
  EXPECT_EQ(below->distinct_images, 2u);

  opened.clear();
  for (const auto& [member, metadata] : {std::pair{0, "m0"}, {1, "m1"}, {2, "m2"}}) {
    scan(member, metadata);
  }
  auto crossed = psi::ProcessThreshold("alice", Candidates(std::move(opened)), shape_, kThreshold);
  ASSERT_TRUE(crossed.ok()) << crossed.status().ToString();
  ASSERT_EQ(crossed->outcome, psi::ThresholdResult::Outcome::kRevealed);
  EXPECT_EQ(crossed->real_images, 3u);
  std::set<std::string> metadata;
  for (const psi::RevealedVoucher& revealed : crossed->revealed) {
    metadata.emplace(revealed.payload.metadata.begin(), revealed.payload.metadata.end());
  }
  EXPECT_EQ(metadata, (std::set<std::string>{"m0", "m1", "m2"}));
}

// One scanner, many threads: every voucher well-formed, members open, ids all distinct.
// Run under TSan with -DHASHVEIL_SANITIZE=thread.
TEST_F(ScannerTest, OneScannerServesManyThreads) {
  auto scanner = MakeScanner("alice");
  ASSERT_NE(scanner, nullptr);
  const std::vector<std::uint8_t> member_png = EncodePng(members_[2]);
  const TestImage stranger = MakeTestImage(4242);
  constexpr int kThreads = 4, kScansPerThread = 3;
  std::vector<std::vector<std::uint8_t>> members(kThreads * kScansPerThread);
  std::vector<std::vector<std::uint8_t>> strangers(kThreads * kScansPerThread);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kScansPerThread; ++i) {
        const int slot = t * kScansPerThread + i;
        members[slot] = scanner->Scan(member_png, {}).value();
        strangers[slot] = scanner->ScanPixels(stranger.view(), {}).value();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<psi::VoucherId> ids;
  for (const auto& voucher : members) {
    const psi::OpenedVoucher opened = Open(voucher);
    EXPECT_FALSE(opened.candidates.empty());
    ids.insert(opened.header.id);
  }
  for (const auto& voucher : strangers) {
    const psi::OpenedVoucher opened = Open(voucher);
    EXPECT_TRUE(opened.candidates.empty());
    ids.insert(opened.header.id);
  }
  EXPECT_EQ(ids.size(), members.size() + strangers.size());
}

// docs/design.md section 5: the account's devices share its state, so together they reach the
// threshold and the same image sent from both counts once.
TEST_F(ScannerTest, TwoDevicesOfOneAccountShareTheThreshold) {
  psi::AccountStateKey transport;
  random_->Fill(transport.span());
  std::vector<std::uint8_t> exported;
  std::vector<psi::OpenedVoucher> opened;
  auto phone = MakeScanner("phone");
  ASSERT_NE(phone, nullptr);
  for (int member : {0, 1}) opened.push_back(Open(phone->ScanPixels(members_[member].view(), {}).value()));
  {
    // The phone's state, exported while the phone's scanner is closed (the file is locked).
    phone.reset();
    const auto params = psi::AccountParameters{.threshold = kThreshold, .synthetic_max = 4};
    auto state = psi::AccountState::OpenOrCreate(dir_ / "phone.state", AccountKey("phone"), params,
                                                 *random_);
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    exported = (*state)->Export(transport, *random_);
    auto imported = psi::AccountState::Import(exported, transport, dir_ / "laptop.state",
                                              AccountKey("laptop"), params, *random_);
    ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  }
  auto laptop = MakeScanner("laptop");
  ASSERT_NE(laptop, nullptr);
  EXPECT_FALSE(laptop->account_created());
  opened.push_back(Open(laptop->ScanPixels(members_[1].view(), {}).value()));
  auto below = psi::ProcessThreshold("alice", Candidates(std::move(opened)), shape_, kThreshold);
  ASSERT_TRUE(below.ok());
  EXPECT_EQ(below->outcome, psi::ThresholdResult::Outcome::kBelowThreshold);
  EXPECT_EQ(below->distinct_images, 2u);

  opened.clear();
  phone = MakeScanner("phone");
  ASSERT_NE(phone, nullptr);
  for (int member : {0, 1}) opened.push_back(Open(phone->ScanPixels(members_[member].view(), {}).value()));
  for (int member : {1, 2}) opened.push_back(Open(laptop->ScanPixels(members_[member].view(), {}).value()));
  auto crossed = psi::ProcessThreshold("alice", Candidates(std::move(opened)), shape_, kThreshold);
  ASSERT_TRUE(crossed.ok());
  ASSERT_EQ(crossed->outcome, psi::ThresholdResult::Outcome::kRevealed);
  EXPECT_EQ(crossed->distinct_images, 3u);
  EXPECT_EQ(crossed->real_images, 3u);
  EXPECT_EQ(crossed->revealed.size(), 4u);
}

// The signed DB sets t, s and p_syn, but the client has the last word: below its floor, after
// its expiry, or older than a DB the account already used, a DB is refused before any voucher.
TEST_F(ScannerTest, DbsBelowTheFloorExpiredOrRolledBackAreRefused) {
  ScannerOptions floor = Options("bob");
  floor.privacy_floor = psi::PrivacyFloor{};  // this suite's DB has p_syn = 0
  EXPECT_EQ(Scanner::Create(floor).status().code(), StatusCode::kFailedPrecondition);

  ScannerOptions expired = Options("carol");
  expired.clock = [] { return std::chrono::system_clock::now() + std::chrono::hours(24 * 3650); };
  EXPECT_EQ(Scanner::Create(expired).status().code(), StatusCode::kFailedPrecondition);

  // This suite's DB replayed after the account used a newer one of the same publisher.
  ScannerOptions newer = Options("dave");
  newer.db_path = BuildNewerDb(scanner_db_epoch() + 1, kThreshold, "newer");
  ASSERT_TRUE(Scanner::Create(newer).ok());
  const auto refused = Scanner::Create(Options("dave"));
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("rollback"), std::string::npos);
  // A device that never used the newer DB takes the older one.
  EXPECT_TRUE(Scanner::Create(Options("erin")).ok());
}

// A device loading a new DB epoch with its existing account state (docs/service.md, "DB
// updates"): the same t keeps its polynomial, so images of both epochs reach t together;
// another t rotates it; going back to the older epoch is refused.
TEST_F(ScannerTest, ANewEpochKeepsProgressUnlessItsParametersDiffer) {
  const std::uint64_t first = scanner_db_epoch();
  std::vector<psi::StoredCandidate> candidates;
  const auto send = [&](const Scanner& scanner, const psi::VoucherOpener& opener, int member) {
    const auto voucher = scanner.ScanPixels(members_[member].view(), {}).value();
    auto opened = opener.Open(voucher, "alice").value();
    ASSERT_EQ(opened.candidates.size(), 1u);
    candidates.push_back({opened.header.id, std::move(opened.candidates[0]), opened.header.epoch});
  };
  {
    auto scanner = MakeScanner("frank");
    ASSERT_NE(scanner, nullptr);
    send(*scanner, *opener_, 0);
    send(*scanner, *opener_, 1);
  }
  ScannerOptions same_t = Options("frank");
  same_t.db_path = BuildNewerDb(first + 1, kThreshold, "same-t");
  auto second = Scanner::Create(same_t);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE((*second)->account_rotated());
  const psi::VoucherShape second_shape = psi::VoucherBuilder::ShapeOf(
      *hashdb::ClientDb::Load(same_t.db_path, publisher_.public_key).value());
  const auto second_opener = psi::VoucherOpener::Create(second_shape, secret_.alpha).value();
  send(**second, *second_opener, 2);
  second->reset();
  const psi::EpochGroup both{.threshold = kThreshold,
                             .shapes = {{first, shape_}, {first + 1, second_shape}}};
  const auto crossed = psi::ProcessThreshold("alice", candidates, both);
  ASSERT_TRUE(crossed.ok()) << crossed.status().ToString();
  EXPECT_EQ(crossed->outcome, psi::ThresholdResult::Outcome::kRevealed);
  EXPECT_EQ(crossed->revealed.size(), 3u);

  ScannerOptions other_t = Options("frank");
  other_t.db_path = BuildNewerDb(first + 2, kThreshold + 1, "other-t");
  auto third = Scanner::Create(other_t);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_TRUE((*third)->account_rotated());
  third->reset();

  const auto back = Scanner::Create(same_t);
  EXPECT_EQ(back.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(back.status().message().find("rollback refused"), std::string::npos);
}

}  // namespace
}  // namespace hashveil::testing
