// The device's account state file as it sits on disk (a SQLite file holding one sealed row):
// AccountState::OpenOrCreate with the storage key over hostile file contents.
#include <cstdint>
#include <filesystem>
#include <span>

#include "fuzz/fuzz_fixture.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"
#include "fuzz/scratch_file.h"
#include "hashveil/common/random.h"
#include "hashveil/common/seeded_random.h"
#include "hashveil/psi/account_state.h"

namespace hashveil::fuzz {
namespace {

void OpenAccountState(std::span<const std::uint8_t> data) {
  static const ScratchFile file("account_state");
  static const psi::AccountStateKey key = FixtureAccountKey();
  file.Remove();
  file.Write(data);
  auto random = MakeSeededRandomForTesting(1);
  auto state = psi::AccountState::OpenOrCreate(file.path(), key, FixtureAccountParameters(), *random);
  if (!state.ok()) return CheckRefusal(state.status(), file.path().native());
  HV_FUZZ_CHECK((*state)->synthetic_count() <= (*state)->params().synthetic_max);
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("account_state", hashveil::fuzz::OpenAccountState)
