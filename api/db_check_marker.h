// Remembers, beside the account state, that this device ran ClientDb's point checks on a DB file
// of a given digest, so Scanner::Create need not run them again at every start (seconds on a
// 1M-entry DB; docs/api.md, "Start-up"). The marker is `ACCOUNT.state.dbcheck`, 0600:
//   "HVDBCHK1" || digest (32) || BLAKE2b-256 keyed with a key derived from the account key,
//   over the magic and the digest (32).
// Only a holder of the account key can write a marker that verifies, and the digest pins every
// point byte, so a replaced or altered DB file is checked in full again.
#pragma once

#include <filesystem>

#include "hashveil/common/status.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/psi/account_state.h"

namespace hashveil {

class DbCheckMarker {
 public:
  DbCheckMarker(std::filesystem::path account_state_path, const psi::AccountStateKey& account_key);

  // Whether the marker says the points of a DB with `digest` were checked. Any problem reading
  // it (absent, short, altered, another digest) is a plain no: the checks then run.
  bool Covers(const hashdb::Digest& digest) const;
  // Records that the points of a DB with `digest` passed (replacing an older marker).
  Status Record(const hashdb::Digest& digest) const;

 private:
  std::filesystem::path path_;
  psi::AccountStateKey mac_key_;  // derived from the account key; wiped with this object
};

}  // namespace hashveil
