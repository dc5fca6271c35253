#include "hashveil/common/seeded_random.h"
#include "hashveil/psi/account_state.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

namespace hashveil::psi {
namespace {

namespace fs = std::filesystem;

AccountStateKey KeyFrom(RandomSource& random) {
  AccountStateKey key;
  random.Fill(key.span());
  return key;
}

matcher::MatchKey KeyNumber(std::uint32_t n) {
  matcher::MatchKey key{};
  for (int i = 0; i < 4; ++i) key[1 + i] = static_cast<std::uint8_t>(n >> (8 * i));
  return key;
}

std::vector<std::uint8_t> FileBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

bool Contains(const std::vector<std::uint8_t>& haystack, std::span<const std::uint8_t> needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

class AccountStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("hashveil_account_state_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = dir_ / "account.state";
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<std::unique_ptr<AccountState>> OpenState(const AccountStateKey& key,
                                                  const AccountParameters& params) {
    return AccountState::OpenOrCreate(path_, key, params, *random_);
  }

  // Replaces the sealed row's bytes through SQLite, as an attacker with the file could.
  void RewriteSealed(const std::function<void(std::vector<std::uint8_t>&)>& edit) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* select = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT sealed FROM account_state", -1, &select, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(select), SQLITE_ROW);
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(select, 0));
    std::vector<std::uint8_t> sealed(data, data + sqlite3_column_bytes(select, 0));
    sqlite3_finalize(select);
    edit(sealed);
    sqlite3_stmt* update = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE account_state SET sealed = ?", -1, &update, nullptr),
              SQLITE_OK);
    sqlite3_bind_blob(update, 1, sealed.data(), static_cast<int>(sealed.size()), SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(update), SQLITE_DONE);
    sqlite3_finalize(update);
    sqlite3_close(db);
  }

  std::unique_ptr<RandomSource> random_ = MakeSeededRandomForTesting(41);
  AccountParameters params_{.threshold = 5, .synthetic_max = 3, .synthetic_rate_ppm = 1'000'000};
  fs::path dir_;
  fs::path path_;
};

void ExpectSameSecrets(const AccountState& a, const AccountState& b) {
  EXPECT_TRUE(ConstantTimeEqual(a.fkey().span(), b.fkey().span()));
  EXPECT_TRUE(ConstantTimeEqual(a.adkey().span(), b.adkey().span()));
  ASSERT_EQ(a.polynomial().threshold(), b.polynomial().threshold());
  for (std::size_t i = 0; i < a.polynomial().coefficients().size(); ++i) {
    EXPECT_TRUE(a.polynomial().coefficients()[i].Equals(b.polynomial().coefficients()[i]));
  }
  EXPECT_EQ(a.hkey().coefficients(), b.hkey().coefficients());
  EXPECT_EQ(a.synthetic_count(), b.synthetic_count());
}

TEST_F(AccountStateTest, CreatedOnFirstUseWithMode0600AndReopenedIntact) {
  const AccountStateKey key = KeyFrom(*random_);
  auto first = OpenState(key, params_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE((*first)->created());
  EXPECT_EQ((*first)->polynomial().threshold(), 5u);
  EXPECT_EQ((*first)->hkey().coefficients().size(), 3u * 4u);
  EXPECT_TRUE(ConstantTimeEqual((*first)->adkey().span(),
                                DeriveKeyFromScalar((*first)->polynomial().secret()).span()));
  ASSERT_TRUE((*first)->DecideRole((*first)->ChoicesFor(KeyNumber(1))).value() == ImageRole::kSynthetic);
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  // Keep a copy of everything, close, reopen from disk.
  const auto copy_random = MakeSeededRandomForTesting(99);
  const fs::path copy_path = dir_ / "copy.state";
  auto copy = AccountState::Import((*first)->Export(key, *copy_random), key, copy_path, key,
                                   params_, *copy_random);
  ASSERT_TRUE(copy.ok());
  ExpectSameSecrets(**first, **copy);
  first.value().reset();
  auto second = OpenState(key, params_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE((*second)->created());
  ExpectSameSecrets(**copy, **second);
  EXPECT_EQ((*second)->synthetic_count(), 1u);
  EXPECT_TRUE((*second)->DecideRole((*second)->ChoicesFor(KeyNumber(1))).value() == ImageRole::kSynthetic);
  EXPECT_EQ((*second)->synthetic_count(), 1u);
}

TEST_F(AccountStateTest, NoSecretIsEverWrittenInTheClear) {
  const AccountStateKey key = KeyFrom(*random_);
  auto state = OpenState(key, params_);
  ASSERT_TRUE(state.ok());
  const ImageChoices choices = (*state)->ChoicesFor(KeyNumber(7));
  ASSERT_TRUE((*state)->DecideRole(choices).value() == ImageRole::kSynthetic);
  // The state file and its rollback journal (kept, zeroed, in exclusive locking mode).
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    ++files;
    const auto bytes = FileBytes(entry.path());
    EXPECT_FALSE(Contains(bytes, (*state)->fkey().span()));
    EXPECT_FALSE(Contains(bytes, (*state)->polynomial().secret().bytes()));
    EXPECT_FALSE(Contains(bytes, choices.base_key_tag));
    EXPECT_EQ(fs::status(entry.path()).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
  }
  EXPECT_GE(files, 1);
}

TEST_F(AccountStateTest, WrongKeyFlippedByteOrTruncationIsCorrupt) {
  const AccountStateKey key = KeyFrom(*random_);
  ASSERT_TRUE(OpenState(key, params_).ok());
  auto wrong = OpenState(KeyFrom(*random_), params_);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kCorrupt);

  std::vector<std::uint8_t> original;
  RewriteSealed([&](std::vector<std::uint8_t>& sealed) { original = sealed; });
  for (std::size_t i = 0; i < original.size(); i += 97) {
    RewriteSealed([&](std::vector<std::uint8_t>& sealed) {
      sealed = original;
      sealed[i] ^= 0x10;
    });
    EXPECT_EQ(OpenState(key, params_).status().code(), StatusCode::kCorrupt) << "byte " << i;
  }
  RewriteSealed([&](std::vector<std::uint8_t>& sealed) {
    sealed.assign(original.begin(), original.end() - 1);
  });
  EXPECT_EQ(OpenState(key, params_).status().code(), StatusCode::kCorrupt);
  RewriteSealed([&](std::vector<std::uint8_t>& sealed) { sealed = original; });
  EXPECT_TRUE(OpenState(key, params_).ok());
}

TEST_F(AccountStateTest, DamagedOrForeignFilesAreRefused) {
  {
    std::ofstream out(path_, std::ios::binary);
    out << std::string(5000, 'x');
  }
  EXPECT_EQ(OpenState(KeyFrom(*random_), params_).status().code(), StatusCode::kCorrupt);
  fs::remove(path_);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE other (x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(OpenState(KeyFrom(*random_), params_).status().code(), StatusCode::kCorrupt);
  fs::remove(path_);

  const AccountStateKey key = KeyFrom(*random_);
  ASSERT_TRUE(OpenState(key, params_).ok());
  fs::resize_file(path_, fs::file_size(path_) / 2);
  auto truncated = OpenState(key, params_);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::kCorrupt) << truncated.status().ToString();
}

// Opened for other DB parameters, the state rotates: new secrets derived from the same root,
// so another device (or the same one back on the old parameters) derives the same ones, and the
// synthetic record starts anew. A change of p_syn alone rotates too: under one fkey, an image
// could otherwise be drawn synthetic under one rate and real under the other.
TEST_F(AccountStateTest, OtherDbParametersRotateTheSecretsDeterministically) {
  const AccountStateKey key = KeyFrom(*random_);
  std::vector<std::uint8_t> original_fkey;
  {
    auto state = OpenState(key, params_);
    ASSERT_TRUE(state.ok());
    original_fkey.assign((*state)->fkey().span().begin(), (*state)->fkey().span().end());
    ASSERT_TRUE((*state)->DecideRole((*state)->ChoicesFor(KeyNumber(1))).value() ==
                ImageRole::kSynthetic);
  }
  for (auto change : {+[](AccountParameters& p) { p.threshold = 6; },
                      +[](AccountParameters& p) { p.synthetic_max = 4; },
                      +[](AccountParameters& p) { p.synthetic_rate_ppm = 5; }}) {
    AccountParameters other = params_;
    change(other);
    auto rotated = OpenState(key, other);
    ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
    EXPECT_TRUE((*rotated)->rotated());
    EXPECT_EQ((*rotated)->params(), other);
    EXPECT_EQ((*rotated)->synthetic_count(), 0u);
    EXPECT_FALSE(std::equal(original_fkey.begin(), original_fkey.end(),
                            (*rotated)->fkey().span().begin()));
    rotated.value().reset();
    auto back = OpenState(key, params_);
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE((*back)->rotated());
    EXPECT_TRUE(std::equal(original_fkey.begin(), original_fkey.end(),
                           (*back)->fkey().span().begin()));
  }
  auto same = OpenState(key, params_);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE((*same)->rotated());
}

// The newest DB epoch the account used is a floor: an older DB is refused, and the floor
// persists (and travels with an export).
TEST_F(AccountStateTest, AnOlderDbEpochIsRefused) {
  const AccountStateKey key = KeyFrom(*random_);
  {
    auto state = OpenState(key, params_);
    ASSERT_TRUE(state.ok());
    EXPECT_TRUE((*state)->AcceptDbEpoch(100).ok());
    EXPECT_TRUE((*state)->AcceptDbEpoch(100).ok());
    EXPECT_EQ((*state)->AcceptDbEpoch(99).code(), StatusCode::kFailedPrecondition);
    EXPECT_TRUE((*state)->AcceptDbEpoch(101).ok());
  }
  auto reopened = OpenState(key, params_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->epoch_floor(), 101u);
  EXPECT_EQ((*reopened)->AcceptDbEpoch(100).code(), StatusCode::kFailedPrecondition);
}

TEST(PrivacyFloorTest, TheDefaultFloorRefusesWeakParameters) {
  const PrivacyFloor floor;
  const AccountParameters ok{.threshold = 10, .synthetic_max = 64, .synthetic_rate_ppm = 10'000};
  EXPECT_TRUE(CheckPrivacyFloor(ok, floor).ok());
  AccountParameters weak = ok;
  weak.synthetic_rate_ppm = 0;
  EXPECT_EQ(CheckPrivacyFloor(weak, floor).code(), StatusCode::kFailedPrecondition);
  weak = ok;
  weak.threshold = 2;
  EXPECT_EQ(CheckPrivacyFloor(weak, floor).code(), StatusCode::kFailedPrecondition);
  weak = ok;
  weak.synthetic_max = 8;  // below t - 1 = 9
  EXPECT_EQ(CheckPrivacyFloor(weak, floor).code(), StatusCode::kFailedPrecondition);
  weak.synthetic_max = 9;
  EXPECT_TRUE(CheckPrivacyFloor(weak, floor).ok());
}

TEST_F(AccountStateTest, RejectsInvalidParameters) {
  const AccountStateKey key = KeyFrom(*random_);
  for (AccountParameters bad : {AccountParameters{1, 3, 0}, AccountParameters{kMaxThreshold + 1, 3, 0},
                                AccountParameters{5, kMaxSyntheticTags + 1, 0},
                                AccountParameters{5, 3, kPartsPerMillion + 1}}) {
    EXPECT_EQ(OpenState(key, bad).status().code(), StatusCode::kInvalidInput);
  }
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(AccountStateTest, OneOpenerAtATime) {
  const AccountStateKey key = KeyFrom(*random_);
  auto first = OpenState(key, params_);
  ASSERT_TRUE(first.ok());
  auto second = OpenState(key, params_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  first.value().reset();
  EXPECT_TRUE(OpenState(key, params_).ok());
}

TEST_F(AccountStateTest, SyntheticDecisionsAreStableCappedAndPersisted) {
  const AccountStateKey key = KeyFrom(*random_);
  auto state = OpenState(key, params_);  // p_syn = 100%, s = 3
  ASSERT_TRUE(state.ok());
  for (std::uint32_t i = 0; i < 3; ++i) {
    EXPECT_TRUE((*state)->DecideRole((*state)->ChoicesFor(KeyNumber(i))).value() == ImageRole::kSynthetic);
  }
  EXPECT_EQ((*state)->synthetic_count(), 3u);
  EXPECT_FALSE((*state)->DecideRole((*state)->ChoicesFor(KeyNumber(3))).value() == ImageRole::kSynthetic);
  // Repeats answer as the first time.
  EXPECT_TRUE((*state)->DecideRole((*state)->ChoicesFor(KeyNumber(0))).value() == ImageRole::kSynthetic);
  EXPECT_FALSE((*state)->DecideRole((*state)->ChoicesFor(KeyNumber(3))).value() == ImageRole::kSynthetic);
  EXPECT_EQ((*state)->synthetic_count(), 3u);
  state.value().reset();

  auto reopened = OpenState(key, params_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->synthetic_count(), 3u);
  EXPECT_TRUE((*reopened)->DecideRole((*reopened)->ChoicesFor(KeyNumber(2))).value() == ImageRole::kSynthetic);
  EXPECT_FALSE((*reopened)->DecideRole((*reopened)->ChoicesFor(KeyNumber(4))).value() == ImageRole::kSynthetic);
}

TEST_F(AccountStateTest, SyntheticRateFollowsTheDraw) {
  AccountParameters params = params_;
  params.synthetic_max = 1000;
  params.synthetic_rate_ppm = 0;
  const AccountStateKey key = KeyFrom(*random_);
  auto never = OpenState(key, params);
  ASSERT_TRUE(never.ok());
  for (std::uint32_t i = 0; i < 200; ++i) {
    const ImageChoices choices = (*never)->ChoicesFor(KeyNumber(i));
    EXPECT_FALSE((*never)->DecideRole(choices).value() == ImageRole::kSynthetic);
  }
  never.value().reset();
  params.synthetic_rate_ppm = 250'000;  // the rate comes from the DB at open time
  auto quarter = OpenState(key, params);
  ASSERT_TRUE(quarter.ok());
  int synthetic = 0;
  for (std::uint32_t i = 0; i < 200; ++i) {
    const ImageChoices choices = (*quarter)->ChoicesFor(KeyNumber(i));
    const bool decided = (*quarter)->DecideRole(choices).value() == ImageRole::kSynthetic;
    EXPECT_EQ(decided, choices.synthetic_draw_ppm < 250'000);
    synthetic += decided;
  }
  EXPECT_GT(synthetic, 20);
  EXPECT_LT(synthetic, 80);
}

TEST_F(AccountStateTest, ConcurrentDecisionsNeverExceedTheCap) {
  AccountParameters params = params_;
  params.synthetic_max = 20;
  auto system_random = MakeSystemRandom();  // thread-safe, as the many-thread scanner needs
  auto state = AccountState::OpenOrCreate(path_, KeyFrom(*random_), params, *system_random);
  ASSERT_TRUE(state.ok());
  std::atomic<int> synthetic{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint32_t i = 0; i < 25; ++i) {
        // Two threads share each image: its answer must be the same for both.
        const ImageChoices choices = (*state)->ChoicesFor(KeyNumber(100 * (t / 2) + i));
        auto decided = (*state)->DecideRole(choices);
        if (decided.ok() && *decided == ImageRole::kSynthetic) ++synthetic;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ((*state)->synthetic_count(), 20u);
  EXPECT_EQ(synthetic.load(), 40);  // 20 distinct images, each answered true twice
}

TEST_F(AccountStateTest, ExportImportWithAKey) {
  const AccountStateKey key = KeyFrom(*random_);
  auto state = OpenState(key, params_);
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE((*state)->DecideRole((*state)->ChoicesFor(KeyNumber(9))).value() == ImageRole::kSynthetic);
  const AccountStateKey transport = KeyFrom(*random_);
  const auto blob = (*state)->Export(transport, *random_);

  const fs::path other = dir_ / "other-device.state";
  const AccountStateKey other_key = KeyFrom(*random_);
  EXPECT_EQ(AccountState::Import(blob, KeyFrom(*random_), other, other_key, params_, *random_)
                .status()
                .code(),
            StatusCode::kCorrupt);
  auto flipped = blob;
  flipped[flipped.size() / 2] ^= 1;
  EXPECT_EQ(AccountState::Import(flipped, transport, other, other_key, params_, *random_)
                .status()
                .code(),
            StatusCode::kCorrupt);
  EXPECT_EQ(AccountState::Import(std::span(blob).first(20), transport, other, other_key, params_,
                                 *random_)
                .status()
                .code(),
            StatusCode::kCorrupt);
  EXPECT_FALSE(fs::exists(other));

  auto imported = AccountState::Import(blob, transport, other, other_key, params_, *random_);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_FALSE((*imported)->created());
  ExpectSameSecrets(**state, **imported);
  // The other device's repeat of an image answers as the first device did.
  EXPECT_TRUE((*imported)->DecideRole((*imported)->ChoicesFor(KeyNumber(9))).value() == ImageRole::kSynthetic);
  EXPECT_EQ((*imported)->synthetic_count(), 1u);
  imported.value().reset();
  // The target exists now.
  EXPECT_EQ(AccountState::Import(blob, transport, other, other_key, params_, *random_)
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  // The import is stored under the new device's key.
  auto reopened = AccountState::OpenOrCreate(other, other_key, params_, *random_);
  ASSERT_TRUE(reopened.ok());
  ExpectSameSecrets(**state, **reopened);
}

TEST_F(AccountStateTest, ExportImportWithAPassphrase) {
  auto state = OpenState(KeyFrom(*random_), params_);
  ASSERT_TRUE(state.ok());
  auto blob = (*state)->ExportWithPassphrase("correct horse battery staple", *random_);
  ASSERT_TRUE(blob.ok());
  const fs::path other = dir_ / "other-device.state";
  const AccountStateKey other_key = KeyFrom(*random_);
  EXPECT_EQ(AccountState::ImportWithPassphrase(*blob, "wrong horse", other, other_key, params_,
                                               *random_)
                .status()
                .code(),
            StatusCode::kCorrupt);
  // A passphrase blob is not a key blob, and says so.
  EXPECT_EQ(AccountState::Import(*blob, KeyFrom(*random_), other, other_key, params_, *random_)
                .status()
                .code(),
            StatusCode::kInvalidInput);
  auto imported = AccountState::ImportWithPassphrase(*blob, "correct horse battery staple", other,
                                                     other_key, params_, *random_);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  ExpectSameSecrets(**state, **imported);
  // Imported for another threshold: rotated, like an opened state.
  AccountParameters other_threshold = params_;
  other_threshold.threshold = 7;
  auto rotated = AccountState::ImportWithPassphrase(*blob, "correct horse battery staple",
                                                    dir_ / "third.state", other_key,
                                                    other_threshold, *random_);
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  EXPECT_TRUE((*rotated)->rotated());
}

}  // namespace
}  // namespace hashveil::psi
