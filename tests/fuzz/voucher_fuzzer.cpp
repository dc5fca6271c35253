// The server's voucher parser: VoucherOpener::Open with the fixture DB's shape and alpha (header,
// length, epoch, every outer entry's point and AEAD, each opened entry's rkey, tag and share, the
// middle layer; a voucher that fails after opening is inconsistent, never refused), and the inner
// payload decoder the threshold step runs on what opens.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

#include "fuzz/fuzz_fixture.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/psi/voucher.h"
#include "hashveil/psi/voucher_builder.h"
#include "hashveil/psi/voucher_opener.h"

namespace hashveil::fuzz {
namespace {

const psi::VoucherOpener& FixtureOpener() {
  static const std::unique_ptr<psi::VoucherOpener> opener = [] {
    const FixtureDb& fixture = TheFixtureDb();
    auto secret = hashdb::LoadServerSecret(fixture.server_secret);
    HV_FUZZ_CHECK(secret.ok());
    auto created = psi::VoucherOpener::Create(
        psi::VoucherBuilder::ShapeOf(*fixture.loaded), secret->alpha);
    HV_FUZZ_CHECK(created.ok());
    return std::move(created).value();
  }();
  return *opener;
}

void OpenVoucher(std::span<const std::uint8_t> data) {
  const psi::VoucherOpener& opener = FixtureOpener();
  auto opened = opener.Open(data, "alice");
  if (!opened.ok()) {
    CheckRefusal(opened.status());
  } else {
    HV_FUZZ_CHECK(data.size() == opener.shape().total_bytes());
    HV_FUZZ_CHECK(opened->header.entry_count == opener.shape().entry_count);
    // One candidate per opened entry exactly when nothing after opening was inconsistent, none
    // otherwise; an inconsistency only ever follows an opening.
    HV_FUZZ_CHECK(opened->candidates.size() ==
                  (opened->inconsistency == nullptr ? opened->opened_entries : 0u));
    HV_FUZZ_CHECK(opened->inconsistency == nullptr || opened->opened_entries > 0);
  }
  if (auto payload = psi::DecodeVoucherPayload(data); payload.ok()) {
    HV_FUZZ_CHECK(payload->quality >= 0 && payload->quality <= 100);
    HV_FUZZ_CHECK(payload->metadata.size() <= psi::kMaxVoucherMetadataBytes);
  } else {
    CheckRefusal(payload.status());
  }
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("voucher", hashveil::fuzz::OpenVoucher)
