// Deterministic real files for the fuzz targets and their seed corpora: a small signed client
// DB with its auditor proof, the keys that made it, and an account state. The same seeds give
// the same DB, so a seed proof's digest matches the DB the db_proof target verifies against.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/hashdb/publication.h"
#include "hashveil/psi/account_state.h"

namespace hashveil::fuzz {

struct FixtureDb {
  std::filesystem::path dir;  // holds every file below
  std::filesystem::path db;   // client.hvdb
  std::filesystem::path proof;
  std::filesystem::path server_secret;
  std::filesystem::path publisher_secret;
  std::filesystem::path publisher_public;
  hashdb::PublisherPublicKey publisher{};
  std::vector<hashdb::PublishedEntry> entries;  // what the DB holds
  std::unique_ptr<hashdb::ClientDb> loaded;  // the DB, loaded and verified
};

// Built on first use in a per-process temporary directory, removed at exit. Aborts if the
// build fails (a fuzz target cannot run without it).
const FixtureDb& TheFixtureDb();

// The account parameters and storage key of the fixture account states.
psi::AccountParameters FixtureAccountParameters();
psi::AccountStateKey FixtureAccountKey();

}  // namespace hashveil::fuzz
