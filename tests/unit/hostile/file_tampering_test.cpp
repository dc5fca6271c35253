// Every single-byte change and every truncation of the files that carry trust (issue 7): the
// signed client DB, the auditor's proof, the account state file and its export blob. Each is
// refused with a clear reason (a non-empty message that leaks no hash, key or path), never
// accepted as something else.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "fuzz/fuzz_fixture.h"
#include "fuzz/message_check.h"
#include "fuzz/scratch_file.h"
#include "hashveil/common/random.h"
#include "hashveil/common/secret.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/db_proof.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/psi/account_state.h"
#include "hashveil/psi/voucher_builder.h"
#include "hashveil/psi/voucher_opener.h"
#include "support/voucher_inputs.h"

namespace hashveil::hostile {
namespace {

using Bytes = std::vector<std::uint8_t>;
using fuzz::FixtureAccountKey;
using fuzz::FixtureAccountParameters;
using fuzz::TheFixtureDb;

Bytes ReadAll(const std::filesystem::path& path) {
  return ReadFileBytes(path, std::size_t{1} << 24).value();
}

// Every variant of `original`: each byte changed (incremented, so never equal), then each proper
// prefix. `check` gets the variant and a description of it.
void ForEachTamperedCopy(const Bytes& original,
                         const std::function<void(const Bytes&, const std::string&)>& check) {
  for (std::size_t i = 0; i < original.size(); ++i) {
    Bytes changed = original;
    ++changed[i];
    check(changed, "byte " + std::to_string(i) + " changed");
  }
  for (std::size_t length = 0; length < original.size(); ++length) {
    check(Bytes(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(length)),
          "truncated to " + std::to_string(length) + " bytes");
  }
}

// A refusal with a reason: not ok, one of `codes`, a message that leaks nothing.
void ExpectClearRefusal(const Status& status, std::initializer_list<StatusCode> codes,
                        const std::string& what, const std::filesystem::path& path) {
  ASSERT_FALSE(status.ok()) << what << " was accepted";
  EXPECT_NE(std::find(codes.begin(), codes.end(), status.code()), codes.end())
      << what << ": " << status.ToString();
  EXPECT_FALSE(status.message().empty()) << what;
  EXPECT_FALSE(fuzz::MessageLeaks(status.message(), path.native())) << what << ": " << status.message();
}

TEST(FileTamperingTest, EveryChangeOrTruncationOfAClientDbIsRefused) {
  const auto& fixture = TheFixtureDb();
  const Bytes original = ReadAll(fixture.db);
  const fuzz::ScratchFile file("tampered-hvdb");
  std::size_t variants = 0;
  ForEachTamperedCopy(original, [&](const Bytes& variant, const std::string& what) {
    file.Write(variant);
    const auto loaded = hashdb::ClientDb::Load(file.path(), fixture.publisher);
    ExpectClearRefusal(loaded.status(), {StatusCode::kCorrupt, StatusCode::kUnsupported}, what,
                       file.path());
    ++variants;
  });
  EXPECT_EQ(variants, 2 * original.size());

  Bytes extended = original;
  extended.push_back(0);
  file.Write(extended);
  ExpectClearRefusal(hashdb::ClientDb::Load(file.path(), fixture.publisher).status(),
                     {StatusCode::kCorrupt}, "one byte appended", file.path());
}

TEST(FileTamperingTest, EveryChangeOrTruncationOfADbProofIsRefused) {
  const auto& fixture = TheFixtureDb();
  const Bytes original = ReadAll(fixture.proof);
  const fuzz::ScratchFile file("tampered-proof");
  ForEachTamperedCopy(original, [&](const Bytes& variant, const std::string& what) {
    file.Write(variant);
    auto proof = hashdb::LoadDbProof(file.path());
    const Status status = proof.ok() ? hashdb::VerifyDbProof(*fixture.loaded, *proof, 1, {})
                                     : proof.status();
    ExpectClearRefusal(status, {StatusCode::kCorrupt, StatusCode::kUnsupported}, what, file.path());
  });
}

// A voucher is bytes from an untrusted client, so "refused" cannot mean the same as for a signed
// file: an outer entry that would not have opened can be changed undetectably (nobody holds its
// key), and a change to the header makes every entry fail, which is just "no match". What must
// hold: any other length is refused, and no change ever yields a different candidate. Every
// truncation; byte changes at every 5th position (each open costs P scalar multiplications).
TEST(FileTamperingTest, NoChangeOfAVoucherYieldsAnotherCandidate) {
  const auto& fixture = TheFixtureDb();
  const auto state_path = std::filesystem::temp_directory_path() /
                          ("hv-hostile-voucher-" + std::to_string(::getpid()));
  std::filesystem::remove(state_path);
  auto random = MakeSeededRandomForTesting(13);
  auto account = psi::AccountState::OpenOrCreate(state_path, FixtureAccountKey(),
                                                 FixtureAccountParameters(), *random);
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  auto builder = psi::VoucherBuilder::Create(*fixture.loaded, **account, "alice");
  ASSERT_TRUE(builder.ok()) << builder.status().ToString();
  psi::VoucherInput input;
  input.payload.hash = fixture.entries.front().hash;
  input.payload.quality = 100;
  hashveil::testing::SetVariantsToOwnHash(input);
  auto voucher = (*builder)->Build(input, *random);
  ASSERT_TRUE(voucher.ok()) << voucher.status().ToString();
  const auto secret = hashdb::LoadServerSecret(fixture.server_secret);
  ASSERT_TRUE(secret.ok());
  auto opener = psi::VoucherOpener::Create((*builder)->shape(), secret->alpha);
  ASSERT_TRUE(opener.ok());
  const auto original = (*opener)->Open(*voucher, "alice");
  ASSERT_TRUE(original.ok() && original->candidates.size() == 1)
      << "the fixture voucher must be a candidate";
  const std::vector<std::uint8_t>& adct = original->candidates[0].adct;

  std::size_t refused = 0, unmatched = 0, same = 0;
  for (std::size_t length = 0; length < voucher->size(); ++length) {
    const Bytes truncated(voucher->begin(), voucher->begin() + static_cast<std::ptrdiff_t>(length));
    ExpectClearRefusal((*opener)->Open(truncated, "alice").status(), {StatusCode::kCorrupt},
                       "truncated to " + std::to_string(length), state_path);
  }
  for (std::size_t i = 0; i < voucher->size(); i += 5) {
    Bytes changed = *voucher;
    ++changed[i];
    const auto opened = (*opener)->Open(changed, "alice");
    const std::string what = "byte " + std::to_string(i) + " changed";
    if (!opened.ok()) {
      ExpectClearRefusal(opened.status(),
                         {StatusCode::kCorrupt, StatusCode::kUnsupported, StatusCode::kFailedPrecondition},
                         what, state_path);
      ++refused;
    } else if (opened->candidates.empty()) {
      ++unmatched;
    } else {
      ASSERT_EQ(opened->candidates.size(), 1u) << what;
      EXPECT_EQ(opened->candidates[0].adct, adct) << what << " yields another candidate";
      EXPECT_TRUE(ConstantTimeEqual(opened->candidates[0].share.x.bytes(),
                                    original->candidates[0].share.x.bytes()))
          << what;
      ++same;
    }
  }
  EXPECT_GT(refused, 0u);
  std::printf("voucher of %zu bytes, every 5th byte changed: %zu refused, %zu no match, %zu same "
              "candidate\n", voucher->size(), refused, unmatched, same);
  account->reset();
  std::filesystem::remove(state_path);
}

// Account state fixtures: a state with one synthetic image recorded, its file and an export.
class AccountStateTamperingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hv-hostile-state-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto state = Open(dir_ / "original.state");
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    for (std::uint8_t i = 0; (*state)->synthetic_count() == 0 && i < 64; ++i) {
      matcher::MatchKey base{};
      base[0] = i;
      ASSERT_TRUE((*state)->DecideRole((*state)->ChoicesFor(base)).ok());
    }
    ASSERT_EQ((*state)->synthetic_count(), 1u);
    fkey_ = (*state)->fkey().Clone();
    blob_ = (*state)->Export(FixtureAccountKey(), *random_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<std::unique_ptr<psi::AccountState>> Open(const std::filesystem::path& path) {
    return psi::AccountState::OpenOrCreate(path, FixtureAccountKey(), FixtureAccountParameters(),
                                           *random_);
  }
  bool SameAsOriginal(const psi::AccountState& state) const {
    return !state.created() && state.synthetic_count() == 1 &&
           ConstantTimeEqual(state.fkey().span(), fkey_.span());
  }

  std::filesystem::path dir_;
  std::unique_ptr<RandomSource> random_ = MakeSeededRandomForTesting(3);
  psi::PrfKey fkey_;
  Bytes blob_;
};

// The state lives sealed in one SQLite row. A change in a part of the file SQLite never reads
// (free space in a page, some header fields) cannot be detected and does no harm; so each
// change is either refused, or opens to exactly the original state, never to another one.
// The empty file is the one exception: it is a creation that crashed before its first commit,
// and gets a fresh state (account_state.h).
TEST_F(AccountStateTamperingTest, EveryChangeOrTruncationOfTheFileIsRefusedOrHarmless) {
  const std::filesystem::path original_path = dir_ / "original.state";
  const Bytes original = ReadAll(original_path);
  const fuzz::ScratchFile file("tampered-state");
  std::size_t refused = 0;
  std::size_t harmless = 0;
  ForEachTamperedCopy(original, [&](const Bytes& variant, const std::string& what) {
    if (variant.empty()) return;
    file.Remove();
    file.Write(variant);
    auto state = Open(file.path());
    if (state.ok()) {
      EXPECT_TRUE(SameAsOriginal(**state)) << what << " opened to another state";
      ++harmless;
      return;
    }
    // kIoError: SQLite reports some header damage (e.g. the schema format number) as a plain
    // SQL error, which the state file passes on as an I/O failure.
    ExpectClearRefusal(state.status(),
                       {StatusCode::kCorrupt, StatusCode::kUnsupported,
                        StatusCode::kFailedPrecondition, StatusCode::kIoError},
                       what, file.path());
    ++refused;
  });
  // Most bytes matter: every byte of the sealed row and of the B-tree structure around it.
  EXPECT_GT(refused, 0u);
  std::printf("account state file of %zu bytes: %zu variants refused, %zu harmless\n",
              original.size(), refused, harmless);
}

TEST_F(AccountStateTamperingTest, EveryChangeOrTruncationOfAnExportIsRefused) {
  std::size_t n = 0;
  ForEachTamperedCopy(blob_, [&](const Bytes& variant, const std::string& what) {
    const std::filesystem::path path = dir_ / ("imported-" + std::to_string(n++));
    auto state = psi::AccountState::Import(variant, FixtureAccountKey(), path, FixtureAccountKey(),
                                           FixtureAccountParameters(), *random_);
    // kInvalidInput: the key-kind byte now says "passphrase".
    ExpectClearRefusal(state.status(),
                       {StatusCode::kCorrupt, StatusCode::kUnsupported, StatusCode::kInvalidInput},
                       what, path);
    std::filesystem::remove(path);
  });
  // The untouched blob imports to the same state.
  auto state = psi::AccountState::Import(blob_, FixtureAccountKey(), dir_ / "imported",
                                         FixtureAccountKey(), FixtureAccountParameters(), *random_);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_TRUE(SameAsOriginal(**state));
}

}  // namespace
}  // namespace hashveil::hostile
