// The account state's plaintext parser (what the sealed row holds once opened) and the export
// blob another device imports. Whatever parses must serialise back to the same bytes.
#include <algorithm>
#include <cstdint>
#include <span>

#include "account_state_codec.h"
#include "fuzz/fuzz_fixture.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"

namespace hashveil::fuzz {
namespace {

void ParseState(std::span<const std::uint8_t> data) {
  namespace codec = psi::account_state_codec;
  auto contents = codec::Parse(data);
  if (contents.ok()) {
    const SecretBytes again = codec::Serialize(*contents);
    HV_FUZZ_CHECK(std::ranges::equal(again.span(), data));
  } else {
    CheckRefusal(contents.status());
  }

  static const psi::AccountStateKey key = FixtureAccountKey();
  auto imported = codec::ImportWithKey(data, key);
  if (!imported.ok()) CheckRefusal(imported.status());
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("account_state_codec", hashveil::fuzz::ParseState)
