#include "relay_store.h"

#include <algorithm>
#include <chrono>

#include "hashveil/common/secret_file.h"

namespace messenger {
namespace fs = std::filesystem;
using hashveil::Result;
using hashveil::Status;

Result<std::unique_ptr<RelayStore>> RelayStore::Open(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir / "users", error);
  if (!error) fs::create_directories(dir / "inbox", error);
  if (error) return Status::IoError("cannot create the relay's data directory");
  return std::unique_ptr<RelayStore>(new RelayStore(dir));
}

Status RelayStore::Register(const std::string& user, const BoxPublicKey& key) {
  std::lock_guard lock(mutex_);
  const fs::path path = dir_ / "users" / (user + ".pub");
  auto existing = hashveil::ReadFileBytes(path, kBoxPublicKeyBytes);
  if (existing.ok()) {
    if (std::equal(existing->begin(), existing->end(), key.begin(), key.end())) return Status::Ok();
    return Status::FailedPrecondition("user is registered with another key");
  }
  std::error_code error;
  fs::create_directories(InboxDir(user), error);
  if (error) return Status::IoError("cannot create the user's inbox");
  return hashveil::WriteFileAtomically(path, key);
}

Result<BoxPublicKey> RelayStore::PublicKey(const std::string& user) {
  HV_ASSIGN_OR_RETURN(const auto bytes,
                      hashveil::ReadFileBytes(dir_ / "users" / (user + ".pub"), kBoxPublicKeyBytes));
  if (bytes.size() != kBoxPublicKeyBytes) return Status::Corrupt("stored public key is malformed");
  BoxPublicKey key{};
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

Result<std::uint64_t> RelayStore::Deliver(const std::string& recipient,
                                          std::span<const std::uint8_t> sealed_image) {
  std::uint64_t id = 0;
  {
    // Ids increase with time, so the inbox lists in arrival order, also across restarts.
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    id = std::max<std::uint64_t>(last_id_ + 1,
                                 std::chrono::duration_cast<std::chrono::microseconds>(now).count());
    last_id_ = id;
  }
  HV_RETURN_IF_ERROR(
      hashveil::WriteFileAtomically(InboxDir(recipient) / (std::to_string(id) + ".msg"), sealed_image));
  return id;
}

Result<std::vector<InboxMessage>> RelayStore::Inbox(const std::string& user, std::size_t max_bytes) {
  std::vector<std::uint64_t> ids;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(InboxDir(user), error)) {
    if (entry.path().extension() != ".msg") continue;
    try {
      ids.push_back(std::stoull(entry.path().stem().string()));
    } catch (const std::exception&) {
      continue;  // not a message file
    }
  }
  if (error) return Status::NotFound("unknown user");
  std::sort(ids.begin(), ids.end());
  std::vector<InboxMessage> messages;
  std::size_t total = 0;
  for (const std::uint64_t id : ids) {
    if (!messages.empty() && total >= max_bytes) break;
    HV_ASSIGN_OR_RETURN(auto bytes,
                        hashveil::ReadFileBytes(InboxDir(user) / (std::to_string(id) + ".msg"),
                                                kMaxImageBytes + 1024));
    total += bytes.size();
    messages.push_back({id, std::move(bytes)});
  }
  return messages;
}

Status RelayStore::Acknowledge(const std::string& user, std::uint64_t id) {
  std::error_code error;
  fs::remove(InboxDir(user) / (std::to_string(id) + ".msg"), error);
  if (error) return Status::IoError("cannot remove the message");
  return Status::Ok();
}

}  // namespace messenger
