// The relay's wire formats (README.md, "Relay API").
//   upload (POST /v1/messages/{recipient}): voucher length (u32 BE) || voucher || sealed image
//   inbox  (GET /v1/inbox/{user}):          repeated: message id (u64 BE) || length (u32 BE) || sealed
// Parsers check every length against what is left before copying anything.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hashveil/common/status.h"

namespace messenger {

// 1..64 characters of [a-z0-9_-]: user names become file and account names.
bool IsValidUserName(const std::string& user);

struct Upload {
  std::vector<std::uint8_t> voucher;
  std::vector<std::uint8_t> sealed_image;
};
std::vector<std::uint8_t> EncodeUpload(const Upload& upload);
hashveil::Result<Upload> DecodeUpload(std::span<const std::uint8_t> body);

struct InboxMessage {
  std::uint64_t id = 0;
  std::vector<std::uint8_t> sealed_image;
};
void AppendInboxMessage(const InboxMessage& message, std::string& body);
hashveil::Result<std::vector<InboxMessage>> DecodeInbox(std::span<const std::uint8_t> body);

}  // namespace messenger
