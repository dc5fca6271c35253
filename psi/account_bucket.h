// Accounts to buckets (issue 13): the PostgreSQL share store starts every key with (bucket,
// account), so one account's rows live together and a later bucket map can put each bucket on
// a shard without moving rows between keys.
//
// bucket = SipHash-2-4(key, account name) as a little-endian 64-bit integer, mod 1,024. Keyed,
// so that whoever chooses account names cannot aim many at one bucket without the key: each
// store draws its key at random when it is created and keeps it (store_meta.bucket_key).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "hashveil/common/status.h"

namespace hashveil::psi {

inline constexpr std::uint32_t kAccountBuckets = 1024;
using BucketKey = std::array<std::uint8_t, 16>;  // SipHash's key size

// In [0, kAccountBuckets).
std::uint32_t AccountBucket(const BucketKey& key, std::string_view account);

// A fresh random key (libsodium's randombytes). kInternal if libsodium cannot start.
Result<BucketKey> RandomBucketKey();

}  // namespace hashveil::psi
