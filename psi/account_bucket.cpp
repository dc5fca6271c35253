#include "account_bucket.h"

#include <sodium.h>

namespace hashveil::psi {

static_assert(crypto_shorthash_KEYBYTES == std::tuple_size_v<BucketKey>);

std::uint32_t AccountBucket(const BucketKey& key, std::string_view account) {
  unsigned char hash[crypto_shorthash_BYTES];
  crypto_shorthash(hash, reinterpret_cast<const unsigned char*>(account.data()), account.size(),
                   key.data());
  std::uint64_t value = 0;
  for (int i = crypto_shorthash_BYTES - 1; i >= 0; --i) value = value << 8 | hash[i];
  return static_cast<std::uint32_t>(value % kAccountBuckets);
}

Result<BucketKey> RandomBucketKey() {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  BucketKey key;
  randombytes_buf(key.data(), key.size());
  return key;
}

}  // namespace hashveil::psi
