#include "wire.h"

#include <algorithm>

namespace messenger {
namespace {

void PutBigEndian(std::uint64_t value, int bytes, std::vector<std::uint8_t>& out) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

// Reads `bytes` big-endian bytes from the front of `in`; false when too short.
bool TakeBigEndian(std::span<const std::uint8_t>& in, int bytes, std::uint64_t& value) {
  if (in.size() < static_cast<std::size_t>(bytes)) return false;
  value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | in[i];
  in = in.subspan(bytes);
  return true;
}

}  // namespace

bool IsValidUserName(const std::string& user) {
  return !user.empty() && user.size() <= 64 && std::all_of(user.begin(), user.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::vector<std::uint8_t> EncodeUpload(const Upload& upload) {
  std::vector<std::uint8_t> body;
  body.reserve(4 + upload.voucher.size() + upload.sealed_image.size());
  PutBigEndian(upload.voucher.size(), 4, body);
  body.insert(body.end(), upload.voucher.begin(), upload.voucher.end());
  body.insert(body.end(), upload.sealed_image.begin(), upload.sealed_image.end());
  return body;
}

hashveil::Result<Upload> DecodeUpload(std::span<const std::uint8_t> body) {
  std::uint64_t voucher_size = 0;
  if (!TakeBigEndian(body, 4, voucher_size) || voucher_size > body.size()) {
    return hashveil::Status::Corrupt("upload is malformed");
  }
  Upload upload;
  upload.voucher.assign(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(voucher_size));
  upload.sealed_image.assign(body.begin() + static_cast<std::ptrdiff_t>(voucher_size), body.end());
  if (upload.sealed_image.empty()) return hashveil::Status::Corrupt("upload has no message");
  return upload;
}

void AppendInboxMessage(const InboxMessage& message, std::string& body) {
  std::vector<std::uint8_t> header;
  PutBigEndian(message.id, 8, header);
  PutBigEndian(message.sealed_image.size(), 4, header);
  body.append(header.begin(), header.end());
  body.append(message.sealed_image.begin(), message.sealed_image.end());
}

hashveil::Result<std::vector<InboxMessage>> DecodeInbox(std::span<const std::uint8_t> body) {
  std::vector<InboxMessage> messages;
  while (!body.empty()) {
    InboxMessage message;
    std::uint64_t size = 0;
    if (!TakeBigEndian(body, 8, message.id) || !TakeBigEndian(body, 4, size) ||
        size > body.size()) {
      return hashveil::Status::Corrupt("inbox is malformed");
    }
    message.sealed_image.assign(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(size));
    body = body.subspan(size);
    messages.push_back(std::move(message));
  }
  return messages;
}

}  // namespace messenger
