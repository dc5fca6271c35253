#include "key_file.h"

#include <algorithm>

#include "hashveil/common/secret_file.h"

namespace hashveil::tools {

Result<psi::AccountStateKey> LoadKeyFile(const std::filesystem::path& path, bool create,
                                         RandomSource& random) {
  psi::AccountStateKey key;
  auto stored = ReadSecretFile(path, psi::kAccountStateKeyBytes);
  if (stored.ok()) {
    std::copy_n(stored->data(), key.size(), key.data());
    return key;
  }
  if (!create || stored.status().code() != StatusCode::kNotFound) return stored.status();
  random.Fill(key.span());
  HV_RETURN_IF_ERROR(WriteSecretFile(path, key.span()));
  return key;
}

}  // namespace hashveil::tools
