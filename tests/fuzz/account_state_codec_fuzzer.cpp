// The account state's plaintext parser (what the sealed row holds once opened) and the export
// blob another device imports. The plaintext is parsed with the t and s it declares when those
// are valid, so mutations get past the parameter check; whatever parses must serialise back to
// the same bytes.
#include <algorithm>
#include <cstdint>
#include <span>

#include "account_state_codec.h"
#include "fuzz/fuzz_fixture.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"

namespace hashveil::fuzz {
namespace {

std::uint32_t U32At(std::span<const std::uint8_t> data, std::size_t offset) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= std::uint32_t{data[offset + i]} << (8 * i);
  return v;
}

void ParseState(std::span<const std::uint8_t> data) {
  namespace codec = psi::account_state_codec;
  psi::AccountParameters params = FixtureAccountParameters();
  if (data.size() >= 8) {
    const psi::AccountParameters declared{.threshold = U32At(data, 0),
                                          .synthetic_max = U32At(data, 4),
                                          .synthetic_rate_ppm = params.synthetic_rate_ppm};
    if (declared.Validate().ok()) params = declared;
  }
  auto contents = codec::Parse(data, params);
  if (contents.ok()) {
    const SecretBytes again = codec::Serialize(*contents);
    HV_FUZZ_CHECK(std::ranges::equal(again.span(), data));
  } else {
    CheckRefusal(contents.status());
  }

  static const psi::AccountStateKey key = FixtureAccountKey();
  auto imported = codec::ImportWithKey(data, key, FixtureAccountParameters());
  if (!imported.ok()) CheckRefusal(imported.status());
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("account_state_codec", hashveil::fuzz::ParseState)
