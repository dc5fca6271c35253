// Which DBs the voucher service serves: those its share store remembers, one per epoch, the
// newest current (docs/service.md, "DB updates"). A `--db` newer than the current one becomes
// current and opens the previous one's transition; the current one again changes nothing; an
// older one is refused (the server's rollback floor).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/psi/share_store.h"

namespace hashveil::tools::serve {

struct ServedDbFiles {
  // Both given on first start and for a new epoch, optional afterwards (the store remembers):
  // the client DB and the publisher's public key it is verified with.
  std::optional<std::filesystem::path> db;
  std::optional<std::filesystem::path> publisher;
};

// When a DB is added, and how long the previous DB's vouchers stay accepted.
struct EpochRollOver {
  std::int64_t now = 0;  // Unix seconds
  std::int64_t transition_seconds = psi::kDefaultTransitionSeconds;
};

// Every DB the store knows, newest first: front() is the current one.
struct ServedDbs {
  std::vector<psi::ServedDb> all;
  const psi::ServedDbParams& current() const { return all.front().params; }
};

// Loads the store's DBs; when a DB is given, verifies it and adds it (ShareStore::AddServedDb).
// Checks that the server secret is the one every DB was blinded with (one secret per store).
// Errors: kInvalidInput (--db without --publisher), kFailedPrecondition (no DB known yet, an
// older DB or another one under the current epoch, a secret that does not match), and those of
// ClientDb::Load.
Result<ServedDbs> SetUpServedDbs(psi::ShareStore& store, const ServedDbFiles& files,
                                 const hashdb::ServerSecret& secret, const EpochRollOver& roll);

// The system clock in Unix seconds.
std::int64_t UnixNow();

}  // namespace hashveil::tools::serve
