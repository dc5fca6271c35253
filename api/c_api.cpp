// The C ABI over hashveil::Scanner: argument checks, Status -> int, C++ exceptions stopped here.
#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "hashveil/hashdb/keys.h"
#include "hashveil/hashveil.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "hashveil/scanner.h"

struct hv_scanner {
  std::unique_ptr<hashveil::Scanner> scanner;
};

namespace {

using hashveil::Result;
using hashveil::Status;
using hashveil::StatusCode;

static_assert(HV_INVALID_INPUT == static_cast<int>(StatusCode::kInvalidInput));
static_assert(HV_NOT_FOUND == static_cast<int>(StatusCode::kNotFound));
static_assert(HV_CORRUPT == static_cast<int>(StatusCode::kCorrupt));
static_assert(HV_UNSUPPORTED == static_cast<int>(StatusCode::kUnsupported));
static_assert(HV_RESOURCE_EXHAUSTED == static_cast<int>(StatusCode::kResourceExhausted));
static_assert(HV_IO_ERROR == static_cast<int>(StatusCode::kIoError));
static_assert(HV_FAILED_PRECONDITION == static_cast<int>(StatusCode::kFailedPrecondition));
static_assert(HV_INTERNAL == static_cast<int>(StatusCode::kInternal));
static_assert(HV_PUBLISHER_KEY_BYTES == hashveil::hashdb::kPublisherPublicKeyBytes);
static_assert(HV_ACCOUNT_KEY_BYTES == hashveil::psi::kAccountStateKeyBytes);
static_assert(HV_MAX_METADATA_BYTES == hashveil::psi::kMaxVoucherMetadataBytes);
using hashveil::matcher::PixelFormat;
static_assert(HV_PIXEL_GRAY8 == static_cast<int>(PixelFormat::kGray8));
static_assert(HV_PIXEL_RGB8 == static_cast<int>(PixelFormat::kRgb8));
static_assert(HV_PIXEL_BGR8 == static_cast<int>(PixelFormat::kBgr8));
static_assert(HV_PIXEL_RGBA8 == static_cast<int>(PixelFormat::kRgba8));

// Copies as much of `text` as fits, always NUL-terminated.
void WriteMessage(std::string_view text, char* message, size_t message_size) {
  if (message == nullptr || message_size == 0) return;
  const size_t length = std::min(text.size(), message_size - 1);
  std::memcpy(message, text.data(), length);
  message[length] = '\0';
}

int Report(const Status& status, char* message, size_t message_size) {
  WriteMessage(status.message(), message, message_size);
  return static_cast<int>(status.code());
}

// Runs `body` (returning a Status), turning any escaping exception into a status code.
template <typename Body>
int Guarded(char* message, size_t message_size, Body body) {
  try {
    return Report(body(), message, message_size);
  } catch (const std::bad_alloc&) {
    return Report(Status::ResourceExhausted("out of memory"), message, message_size);
  } catch (...) {
    return Report(Status::Internal("unexpected failure"), message, message_size);
  }
}

Status MissingArgument(const char* name) {
  return Status::InvalidInput(std::string(name) + " is NULL");
}

// Moves a voucher to the caller's buffer.
Status Deliver(const Result<std::vector<std::uint8_t>>& voucher, uint8_t* out, size_t capacity,
               size_t* size_out) {
  if (!voucher.ok()) return voucher.status();
  if (voucher->size() > capacity) {
    return Status::InvalidInput("voucher buffer is smaller than hv_scanner_voucher_size");
  }
  std::copy(voucher->begin(), voucher->end(), out);
  *size_out = voucher->size();
  return Status::Ok();
}

std::span<const std::uint8_t> Metadata(const uint8_t* metadata, size_t size) {
  return size == 0 ? std::span<const std::uint8_t>() : std::span(metadata, size);
}

Status CheckScanArguments(const hv_scanner* scanner, bool has_image, const uint8_t* metadata,
                          size_t metadata_size, const uint8_t* voucher_out,
                          const size_t* voucher_size_out) {
  if (scanner == nullptr) return MissingArgument("scanner");
  if (!has_image) return MissingArgument("image");
  if (metadata == nullptr && metadata_size != 0) return MissingArgument("metadata");
  if (voucher_out == nullptr) return MissingArgument("voucher_out");
  if (voucher_size_out == nullptr) return MissingArgument("voucher_size_out");
  return Status::Ok();
}

}  // namespace

extern "C" {

const char* hv_version(void) { return HASHVEIL_VERSION_STRING; }

size_t hv_thread_memory_bytes(void) { return hashveil::matcher::ThreadHashingMemoryBytes(); }

void hv_thread_memory_release(void) { hashveil::matcher::ReleaseThreadHashingMemory(); }

const char* hv_status_name(int status) {
  if (status < HV_OK || status > HV_INTERNAL) return "unknown";
  return hashveil::StatusCodeName(static_cast<StatusCode>(status));
}

int hv_publisher_key_load(const char* path, uint8_t key_out[HV_PUBLISHER_KEY_BYTES],
                          char* message, size_t message_size) {
  return Guarded(message, message_size, [&]() -> Status {
    if (path == nullptr) return MissingArgument("path");
    if (key_out == nullptr) return MissingArgument("key_out");
    HV_ASSIGN_OR_RETURN(const hashveil::hashdb::PublisherPublicKey key,
                        hashveil::hashdb::LoadPublisherPublicKey(path));
    std::copy(key.begin(), key.end(), key_out);
    return Status::Ok();
  });
}

int hv_scanner_create(const char* db_path, const uint8_t publisher_key[HV_PUBLISHER_KEY_BYTES],
                      const char* account_state_path, const char* account_name,
                      const uint8_t account_key[HV_ACCOUNT_KEY_BYTES], uint64_t max_pixels,
                      hv_scanner** scanner_out, char* message, size_t message_size) {
  if (scanner_out != nullptr) *scanner_out = nullptr;
  return Guarded(message, message_size, [&]() -> Status {
    if (db_path == nullptr) return MissingArgument("db_path");
    if (publisher_key == nullptr) return MissingArgument("publisher_key");
    if (account_state_path == nullptr) return MissingArgument("account_state_path");
    if (account_name == nullptr) return MissingArgument("account_name");
    if (account_key == nullptr) return MissingArgument("account_key");
    if (scanner_out == nullptr) return MissingArgument("scanner_out");
    hashveil::ScannerOptions options;
    options.db_path = db_path;
    std::copy_n(publisher_key, HV_PUBLISHER_KEY_BYTES, options.publisher.begin());
    options.account_state_path = account_state_path;
    options.account_name = account_name;
    std::copy_n(account_key, HV_ACCOUNT_KEY_BYTES, options.account_key.data());
    if (max_pixels != 0) options.decode.max_pixels = max_pixels;
    HV_ASSIGN_OR_RETURN(std::unique_ptr<hashveil::Scanner> scanner,
                        hashveil::Scanner::Create(options));
    *scanner_out = new hv_scanner{std::move(scanner)};
    return Status::Ok();
  });
}

void hv_scanner_destroy(hv_scanner* scanner) { delete scanner; }

size_t hv_scanner_voucher_size(const hv_scanner* scanner) {
  return scanner == nullptr ? 0 : scanner->scanner->voucher_size();
}

uint32_t hv_scanner_threshold(const hv_scanner* scanner) {
  return scanner == nullptr ? 0 : scanner->scanner->db_params().threshold;
}

int hv_scanner_scan(const hv_scanner* scanner, const uint8_t* image, size_t image_size,
                    const uint8_t* metadata, size_t metadata_size, uint8_t* voucher_out,
                    size_t voucher_capacity, size_t* voucher_size_out, char* message,
                    size_t message_size) {
  return Guarded(message, message_size, [&]() -> Status {
    HV_RETURN_IF_ERROR(CheckScanArguments(scanner, image != nullptr, metadata, metadata_size,
                                          voucher_out, voucher_size_out));
    return Deliver(scanner->scanner->Scan(std::span(image, image_size),
                                          Metadata(metadata, metadata_size)),
                   voucher_out, voucher_capacity, voucher_size_out);
  });
}

int hv_scanner_scan_pixels(const hv_scanner* scanner, const hv_image* image,
                           const uint8_t* metadata, size_t metadata_size, uint8_t* voucher_out,
                           size_t voucher_capacity, size_t* voucher_size_out, char* message,
                           size_t message_size) {
  return Guarded(message, message_size, [&]() -> Status {
    HV_RETURN_IF_ERROR(CheckScanArguments(scanner, image != nullptr, metadata, metadata_size,
                                          voucher_out, voucher_size_out));
    // The enum's value comes from C, where any int fits: check before converting.
    const int format = static_cast<int>(image->format);
    if (format < HV_PIXEL_GRAY8 || format > HV_PIXEL_RGBA8) {
      return Status::InvalidInput("unknown pixel format");
    }
    const hashveil::matcher::ImageView view{
        .data = image->pixels,
        .width = image->width,
        .height = image->height,
        .stride = image->stride,
        .format = static_cast<PixelFormat>(format)};
    return Deliver(scanner->scanner->ScanPixels(view, Metadata(metadata, metadata_size)),
                   voucher_out, voucher_capacity, voucher_size_out);
  });
}

}  // extern "C"
