// The relay's storage: each user's public key and inbox of sealed messages, as files under one
// directory (users/NAME.pub, inbox/NAME/ID.msg), each written atomically. It holds only what it
// cannot read: public keys and ciphertexts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hashveil/common/status.h"
#include "sealed_image.h"
#include "wire.h"

namespace messenger {

// Thread-safe.
class RelayStore {
 public:
  // Creates the directories. kIoError.
  static hashveil::Result<std::unique_ptr<RelayStore>> Open(const std::filesystem::path& dir);

  // Registers a user's key; registering the same key again is a no-op, another key is
  // kFailedPrecondition. kIoError.
  hashveil::Status Register(const std::string& user, const BoxPublicKey& key);
  // kNotFound for an unknown user.
  hashveil::Result<BoxPublicKey> PublicKey(const std::string& user);
  // Appends to the recipient's inbox; returns the message id.
  hashveil::Result<std::uint64_t> Deliver(const std::string& recipient,
                                          std::span<const std::uint8_t> sealed_image);
  // The oldest messages, up to about `max_bytes` (at least one when the inbox is not empty).
  hashveil::Result<std::vector<InboxMessage>> Inbox(const std::string& user, std::size_t max_bytes);
  // Removes one delivered message (a no-op when it is already gone).
  hashveil::Status Acknowledge(const std::string& user, std::uint64_t id);

 private:
  explicit RelayStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path InboxDir(const std::string& user) const { return dir_ / "inbox" / user; }

  const std::filesystem::path dir_;
  std::mutex mutex_;
  std::uint64_t last_id_ = 0;
};

}  // namespace messenger
