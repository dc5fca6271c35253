// The server secret and publisher key files (magic, version, sizes, canonical scalar, matching
// key halves).
#include <cstdint>
#include <span>

#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"
#include "fuzz/scratch_file.h"
#include "hashveil/hashdb/keys.h"

namespace hashveil::fuzz {
namespace {

void LoadKeyFiles(std::span<const std::uint8_t> data) {
  static const ScratchFile file("key_files");
  file.Write(data);
  if (auto secret = hashdb::LoadServerSecret(file.path()); secret.ok()) {
    HV_FUZZ_CHECK(psi::IsValidPoint(secret->public_point()));
  } else {
    CheckRefusal(secret.status());
  }
  if (auto keys = hashdb::LoadPublisherKeys(file.path()); !keys.ok()) CheckRefusal(keys.status());
  if (auto key = hashdb::LoadPublisherPublicKey(file.path()); !key.ok()) CheckRefusal(key.status());
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("key_files", hashveil::fuzz::LoadKeyFiles)
