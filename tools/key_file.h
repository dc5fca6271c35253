// 32-byte key files (account state keys, transport keys): raw bytes, mode 0600.
#pragma once

#include <filesystem>

#include "hashveil/common/random.h"
#include "hashveil/common/status.h"
#include "hashveil/psi/account_state.h"

namespace hashveil::tools {

// The key in the file at `path`; with `create`, a fresh key from `random` written 0600 when the
// file is absent. Errors: kNotFound (absent, without `create`), kInvalidInput (not 32 bytes),
// kIoError, kFailedPrecondition (created concurrently by another process).
Result<psi::AccountStateKey> LoadKeyFile(const std::filesystem::path& path, bool create,
                                         RandomSource& random);

}  // namespace hashveil::tools
