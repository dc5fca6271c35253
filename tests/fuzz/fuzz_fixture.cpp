#include "fuzz/fuzz_fixture.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/db_builder.h"
#include "hashveil/hashdb/publication.h"

namespace hashveil::fuzz {
namespace {

constexpr std::uint64_t kFixtureSeed = 0x6876666978747572;  // "hvfixtur"
constexpr std::size_t kFixtureEntries = 12;

[[noreturn]] void FixtureFailed(const Status& status) {
  std::fprintf(stderr, "fuzz fixture: %s\n", status.ToString().c_str());
  std::abort();
}

std::vector<hashdb::PublishedEntry> FixtureEntries(RandomSource& random) {
  std::vector<hashdb::PublishedEntry> entries(kFixtureEntries);
  for (auto& entry : entries) {
    for (auto& word : entry.hash.words) word = static_cast<std::uint16_t>(random.NextU64());
    entry.quality = 100;
    entry.sources = {"a", "b"};
  }
  return entries;
}

class FixtureHolder {
 public:
  FixtureHolder() {
    fixture_.dir = std::filesystem::temp_directory_path() /
                   ("hv-fuzz-fixture-" + std::to_string(::getpid()));
    std::filesystem::remove_all(fixture_.dir);
    std::filesystem::create_directories(fixture_.dir);
    fixture_.db = fixture_.dir / "client.hvdb";
    fixture_.proof = fixture_.dir / "client.hvdb.proof";
    fixture_.server_secret = fixture_.dir / "server.key";
    fixture_.publisher_secret = fixture_.dir / "publisher.key";
    fixture_.publisher_public = fixture_.dir / "publisher.key.pub";

    auto random = MakeSeededRandomForTesting(kFixtureSeed);
    const hashdb::ServerSecret secret = hashdb::GenerateServerSecret(*random);
    const hashdb::PublisherKeyPair publisher = hashdb::GeneratePublisherKeys(*random);
    fixture_.publisher = publisher.public_key;
    fixture_.entries = FixtureEntries(*random);
    const auto& entries = fixture_.entries;
    hashdb::DbBuildOptions options;
    options.threshold = FixtureAccountParameters().threshold;
    options.synthetic_max = FixtureAccountParameters().synthetic_max;
    options.synthetic_rate_ppm = FixtureAccountParameters().synthetic_rate_ppm;
    options.threads = 1;
    // The expiry is signed into the DB: a fixed issue time keeps the fixture the same in every
    // process, so the seed proofs' digest matches the DB the db_proof target verifies against.
    // The longest validity keeps it fresh (until 2037) for code that checks the expiry.
    options.issued_at = 1'800'000'000;
    options.valid_days = hashdb::kMaxDbValidDays;
    auto built = hashdb::BuildClientDb(entries, options, secret, publisher, *random, fixture_.db,
                                       fixture_.proof);
    if (!built.ok()) FixtureFailed(built.status());
    if (Status s = hashdb::SaveServerSecret(secret, fixture_.server_secret); !s.ok()) FixtureFailed(s);
    if (Status s = hashdb::SavePublisherKeys(publisher, fixture_.publisher_secret,
                                             fixture_.publisher_public);
        !s.ok()) {
      FixtureFailed(s);
    }
    auto loaded = hashdb::ClientDb::Load(fixture_.db, fixture_.publisher);
    if (!loaded.ok()) FixtureFailed(loaded.status());
    fixture_.loaded = std::move(loaded).value();
  }
  ~FixtureHolder() {
    std::error_code ec;
    std::filesystem::remove_all(fixture_.dir, ec);
  }
  FixtureHolder(const FixtureHolder&) = delete;
  FixtureHolder& operator=(const FixtureHolder&) = delete;

  const FixtureDb& fixture() const { return fixture_; }

 private:
  FixtureDb fixture_;
};

}  // namespace

const FixtureDb& TheFixtureDb() {
  static const FixtureHolder holder;
  return holder.fixture();
}

psi::AccountParameters FixtureAccountParameters() {
  return {.threshold = 3, .synthetic_max = 4, .synthetic_rate_ppm = 500'000};
}

psi::AccountStateKey FixtureAccountKey() {
  psi::AccountStateKey key;
  for (std::size_t i = 0; i < key.span().size(); ++i) key.data()[i] = static_cast<std::uint8_t>(i);
  return key;
}

}  // namespace hashveil::fuzz
