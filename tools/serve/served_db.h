// Which DB the voucher service serves: the parameters its share store remembers, set from the
// first verified client DB it was started with (docs/design.md section 5; one store per DB epoch).
#pragma once

#include <filesystem>
#include <optional>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/psi/share_store.h"

namespace hashveil::tools::serve {

struct ServedDbFiles {
  // Both given on first start, optional afterwards (the store remembers): the client DB and the
  // publisher's public key it is verified with.
  std::optional<std::filesystem::path> db;
  std::optional<std::filesystem::path> publisher;
};

// Loads the store's parameters; when a DB is given, verifies it and records its parameters
// (refused if the store already serves another). Checks that the server secret is the one the
// DB was blinded with. Errors: kInvalidInput (--db without --publisher), kFailedPrecondition
// (no DB known yet, another DB, or a secret that does not match), and those of ClientDb::Load.
Result<psi::ServedDbParams> SetUpServedDb(psi::ShareStore& store, const ServedDbFiles& files,
                                          const hashdb::ServerSecret& secret);

}  // namespace hashveil::tools::serve
