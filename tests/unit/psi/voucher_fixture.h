// Shared pieces of the voucher tests: a scratch directory, small signed DBs built with the real
// builder, account states, voucher inputs for member and non-member hashes, and the server.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/db_builder.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/psi/account_state.h"
#include "hashveil/psi/share_store.h"
#include "hashveil/psi/voucher_builder.h"
#include "hashveil/psi/voucher_opener.h"
#include "support/test_paths.h"
#include "support/voucher_inputs.h"

namespace hashveil::psi::testing {

// The account every voucher of these tests is filed under (bound into each voucher).
inline constexpr std::string_view kAccount = "alice";

inline matcher::PdqHash RandomHash(RandomSource& random) {
  matcher::PdqHash hash;
  for (auto& word : hash.words) word = static_cast<std::uint16_t>(random.NextU64());
  return hash;
}

class VoucherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::hashveil::testing::FreshDirForCurrentTest("hv-voucher");
    random_ = MakeSeededRandomForTesting(7);
    secret_ = hashdb::GenerateServerSecret(*random_);
    publisher_ = hashdb::GeneratePublisherKeys(*random_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // `count` random member hashes (quality 100) and a DB of them.
  std::unique_ptr<hashdb::ClientDb> MakeDb(std::size_t count, hashdb::DbBuildOptions options,
                                           const std::string& name = "client") {
    members_.clear();
    for (std::size_t i = 0; i < count; ++i) {
      members_.push_back({RandomHash(*random_), 100, {"src-a", "src-b"}});
    }
    options.threads = 1;
    const auto db_path = dir_ / (name + ".hvdb");
    auto built = hashdb::BuildClientDb(members_, options, secret_, publisher_, *random_, db_path,
                                       dir_ / (name + ".hvdb.proof"));
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    EXPECT_EQ(built->stats.dropped_keys, 0u);
    auto db = hashdb::ClientDb::Load(db_path, publisher_.public_key);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(db).value();
  }

  std::unique_ptr<AccountState> MakeAccount(const hashdb::ClientDb& db, const std::string& name) {
    AccountStateKey key;
    random_->Fill(key.span());
    const AccountParameters params{.threshold = db.params().threshold,
                                   .synthetic_max = db.params().synthetic_max,
                                   .synthetic_rate_ppm = db.params().synthetic_rate_ppm};
    auto account = AccountState::OpenOrCreate(dir_ / (name + ".state"), key, params, *random_);
    EXPECT_TRUE(account.ok()) << account.status().ToString();
    return std::move(account).value();
  }

  static VoucherInput InputFor(const matcher::PdqHash& hash, int quality = 100) {
    VoucherInput input;
    input.payload.hash = hash;
    input.payload.quality = quality;
    for (std::size_t i = 0; i < matcher::kVisualDerivativeBytes; ++i) {
      input.payload.derivative.pixels.data()[i] = static_cast<std::uint8_t>(hash.words[i % 16] + i);
    }
    // Distinct margins so the probes are well defined; the base key is the first probe anyway.
    for (int bit = 0; bit < matcher::PdqHash::kBits; ++bit) input.margins[bit] = 1.0f + bit;
    hashveil::testing::SetVariantsToOwnHash(input);  // redo after changing the hash or margins
    return input;
  }

  std::vector<std::uint8_t> Build(const VoucherBuilder& builder, const VoucherInput& input) {
    auto voucher = builder.Build(input, *random_);
    EXPECT_TRUE(voucher.ok()) << voucher.status().ToString();
    return std::move(voucher).value();
  }

  std::unique_ptr<VoucherOpener> MakeOpener(const hashdb::ClientDb& db) {
    return VoucherOpener::Create(VoucherBuilder::ShapeOf(db), secret_.alpha).value();
  }

  // A DB of `members` random hashes, one account's builder and the server's opener.
  struct Client {
    std::unique_ptr<hashdb::ClientDb> db;
    std::unique_ptr<AccountState> account;
    std::unique_ptr<VoucherBuilder> builder;
    std::unique_ptr<VoucherOpener> opener;
  };
  // `name` names the DB's files and, unless "client", the account state's.
  Client MakeClient(std::size_t members, const hashdb::DbBuildOptions& options,
                    const std::string& name = "client") {
    Client client;
    client.db = MakeDb(members, options, name);
    client.account = MakeAccount(*client.db, name == "client" ? "a" : name);
    client.builder = VoucherBuilder::Create(*client.db, *client.account, kAccount).value();
    client.opener = MakeOpener(*client.db);
    return client;
  }

  static ServedDbParams Served(const hashdb::ClientDb& db) {
    return {.shape = VoucherBuilder::ShapeOf(db),
            .threshold = db.params().threshold,
            .public_point = db.params().public_point,
            .synthetic_rate_ppm = db.params().synthetic_rate_ppm,
            .key_bits = db.params().key_scheme.bits_per_key};
  }

  std::filesystem::path dir_;
  std::unique_ptr<RandomSource> random_;
  hashdb::ServerSecret secret_;
  hashdb::PublisherKeyPair publisher_;
  std::vector<hashdb::PublishedEntry> members_;
};

}  // namespace hashveil::psi::testing
