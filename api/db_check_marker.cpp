#include "db_check_marker.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "hashveil/common/secret_file.h"

namespace hashveil {
namespace {

constexpr std::string_view kMagic = "HVDBCHK1";
constexpr std::string_view kKeyDomain = "hashveil/db-check-marker/v1";
constexpr std::size_t kTagBytes = 32;
constexpr std::size_t kMarkerBytes = kMagic.size() + sizeof(hashdb::Digest) + kTagBytes;

std::array<std::uint8_t, kTagBytes> Tag(const psi::AccountStateKey& key,
                                        const hashdb::Digest& digest) {
  std::array<std::uint8_t, kMagic.size() + sizeof(hashdb::Digest)> message{};
  std::copy(kMagic.begin(), kMagic.end(), message.begin());
  std::copy(digest.begin(), digest.end(), message.begin() + kMagic.size());
  std::array<std::uint8_t, kTagBytes> tag{};
  crypto_generichash(tag.data(), tag.size(), message.data(), message.size(), key.data(),
                     key.size());
  return tag;
}

}  // namespace

DbCheckMarker::DbCheckMarker(std::filesystem::path account_state_path,
                             const psi::AccountStateKey& account_key)
    : path_(account_state_path.string() + ".dbcheck") {
  // Its own key: a marker tag is never a value keyed with the account key itself.
  crypto_generichash(mac_key_.data(), mac_key_.size(),
                     reinterpret_cast<const std::uint8_t*>(kKeyDomain.data()), kKeyDomain.size(),
                     account_key.data(), account_key.size());
}

bool DbCheckMarker::Covers(const hashdb::Digest& digest) const {
  auto marker = ReadFileBytes(path_, kMarkerBytes);
  if (!marker.ok() || marker->size() != kMarkerBytes) return false;
  const std::span<const std::uint8_t> bytes(*marker);
  if (!std::equal(kMagic.begin(), kMagic.end(), bytes.begin())) return false;
  const auto stored_digest = bytes.subspan(kMagic.size(), sizeof(hashdb::Digest));
  if (!std::equal(digest.begin(), digest.end(), stored_digest.begin())) return false;
  const auto tag = Tag(mac_key_, digest);
  return crypto_verify_32(tag.data(), bytes.last(kTagBytes).data()) == 0;
}

Status DbCheckMarker::Record(const hashdb::Digest& digest) const {
  std::vector<std::uint8_t> marker(kMagic.begin(), kMagic.end());
  marker.insert(marker.end(), digest.begin(), digest.end());
  const auto tag = Tag(mac_key_, digest);
  marker.insert(marker.end(), tag.begin(), tag.end());
  return WriteSecretFile(path_, marker, /*overwrite=*/true)
      .WithContext("recording the DB check marker");
}

}  // namespace hashveil
