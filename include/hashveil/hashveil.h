/* hashveil's C ABI: the device side of the send path (hashveil::Scanner) for C, Kotlin (JNI),
 * Swift and other bindings. C99; no C++ type crosses it.
 *
 * Conventions:
 *  - Every fallible function returns an int status: HV_OK (0) or one of the HV_* codes below,
 *    the same values as hashveil::StatusCode. When `message` is not NULL and `message_size` > 0,
 *    a NUL-terminated, possibly truncated, description is written there on failure (an empty
 *    string on success). Messages never contain hashes, keys or file paths.
 *  - Handles are typed and opaque; each hv_*_create has its hv_*_destroy (NULL is accepted).
 *  - Output buffers belong to the caller; sizes are known beforehand (hv_scanner_voucher_size).
 *  - No function throws, keeps a pointer to the caller's buffers, or uses global state.
 *
 * Thread safety: one hv_scanner may be used by any number of threads at once; create and
 * destroy it while no other thread uses it. */
#ifndef HASHVEIL_HASHVEIL_H_
#define HASHVEIL_HASHVEIL_H_

#include <stddef.h>
#include <stdint.h>

#include "hashveil/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes (hashveil::StatusCode). */
#define HV_OK 0
#define HV_INVALID_INPUT 1       /* malformed or out-of-range input, NULL argument, small buffer */
#define HV_NOT_FOUND 2           /* a file does not exist */
#define HV_CORRUPT 3             /* bytes fail a structural, digest or signature check */
#define HV_UNSUPPORTED 4         /* a format or version this build does not handle */
#define HV_RESOURCE_EXHAUSTED 5  /* more pixels than allowed, or out of memory */
#define HV_IO_ERROR 6            /* the operating system refused a read or write */
#define HV_FAILED_PRECONDITION 7 /* valid, but not in the current state (e.g. file in use) */
#define HV_INTERNAL 8            /* a bug or an unexpected library failure */

#define HV_PUBLISHER_KEY_BYTES 32 /* Ed25519 public key of the DB's publisher */
#define HV_ACCOUNT_KEY_BYTES 32   /* key that encrypts the account state at rest */
#define HV_MAX_METADATA_BYTES 256 /* caller metadata carried in a voucher's payload */

/* The library's version, "MAJOR.MINOR.PATCH" (static storage). */
const char* hv_version(void);

/* The name of a status code ("corrupt"), for logs; "unknown" for other values. */
const char* hv_status_name(int status);

/* Reads a publisher public key file (`hashveil keygen`'s publisher.key.pub) into `key_out`.
 * Errors: HV_NOT_FOUND, HV_INVALID_INPUT (not such a file), HV_IO_ERROR. */
int hv_publisher_key_load(const char* path, uint8_t key_out[HV_PUBLISHER_KEY_BYTES],
                          char* message, size_t message_size);

typedef struct hv_scanner hv_scanner;

/* Loads and verifies the client DB at `db_path` against `publisher_key`, then opens the account
 * state at `account_state_path` (created on first use) with `account_key`. `account_name` is the
 * name the voucher service files this account's vouchers under (the {account} of
 * POST /v1/accounts/{account}/vouchers; 1..128 characters from [A-Za-z0-9._-]): every voucher is
 * bound to it. Images with more than `max_pixels` pixels are refused before decoding (0: the
 * library default, 100 million). The DB must not have expired, its privacy parameters must be at
 * or above the library's floor (t >= 3, p_syn >= 0.5%, s >= t-1) and its epoch no older than one
 * this account already used.
 * On success *scanner_out holds a new scanner; on failure it is set to NULL.
 * Errors: HV_NOT_FOUND, HV_IO_ERROR, HV_UNSUPPORTED, HV_CORRUPT (DB signature or structure; wrong
 * account key or altered state), HV_FAILED_PRECONDITION (DB expired, below the privacy floor or
 * older than one this account used; state in use by another process), HV_INVALID_INPUT (NULL
 * argument, invalid account name). */
int hv_scanner_create(const char* db_path, const uint8_t publisher_key[HV_PUBLISHER_KEY_BYTES],
                      const char* account_state_path, const char* account_name,
                      const uint8_t account_key[HV_ACCOUNT_KEY_BYTES], uint64_t max_pixels,
                      hv_scanner** scanner_out, char* message, size_t message_size);

/* Frees the scanner and wipes its secrets. NULL is a no-op. */
void hv_scanner_destroy(hv_scanner* scanner);

/* Every voucher's length in bytes: the capacity to pass to hv_scanner_scan. */
size_t hv_scanner_voucher_size(const hv_scanner* scanner);

/* The DB's threshold: distinct matching images an account needs before anything is revealed. */
uint32_t hv_scanner_threshold(const hv_scanner* scanner);

/* The voucher for an encoded image (JPEG, PNG, WebP, BMP, TIFF) with the caller's metadata (at
 * most HV_MAX_METADATA_BYTES; `metadata` may be NULL when `metadata_size` is 0), written to
 * `voucher_out` (`voucher_capacity` >= hv_scanner_voucher_size); *voucher_size_out receives its
 * length. Errors: HV_INVALID_INPUT (NULL argument, metadata too long, buffer too small),
 * HV_UNSUPPORTED, HV_RESOURCE_EXHAUSTED, HV_CORRUPT (malformed image), HV_IO_ERROR, HV_INTERNAL. */
int hv_scanner_scan(const hv_scanner* scanner, const uint8_t* image, size_t image_size,
                    const uint8_t* metadata, size_t metadata_size, uint8_t* voucher_out,
                    size_t voucher_capacity, size_t* voucher_size_out, char* message,
                    size_t message_size);

/* Pixel layouts for hv_scanner_scan_pixels (hashveil::matcher::PixelFormat). */
typedef enum hv_pixel_format {
  HV_PIXEL_GRAY8 = 0, /* one byte per pixel */
  HV_PIXEL_RGB8 = 1,  /* R, G, B */
  HV_PIXEL_BGR8 = 2,  /* B, G, R */
  HV_PIXEL_RGBA8 = 3, /* R, G, B, straight alpha */
  /* Not a format: makes the enum 32 bits wide and every int32 value representable, so an
     unknown value from a binding is refused as invalid input instead of being undefined in C++. */
  HV_PIXEL_FORMAT_MAX_ENUM = 0x7FFFFFFF
} hv_pixel_format;

/* A decoded image the caller owns; `stride` is the bytes from one row to the next. */
typedef struct hv_image {
  const uint8_t* pixels;
  int32_t width;
  int32_t height;
  size_t stride;
  hv_pixel_format format;
} hv_image;

/* As hv_scanner_scan, for decoded pixels (camera frames, a platform decoder).
 * Errors: HV_INVALID_INPUT (NULL argument, empty or badly strided image, unknown format,
 * metadata too long, buffer too small), HV_IO_ERROR, HV_INTERNAL. */
int hv_scanner_scan_pixels(const hv_scanner* scanner, const hv_image* image,
                           const uint8_t* metadata, size_t metadata_size, uint8_t* voucher_out,
                           size_t voucher_capacity, size_t* voucher_size_out, char* message,
                           size_t message_size);

/* Decoding and hashing keep their working buffers per thread between images (at most 8 MiB a
 * thread), so the next scan on that thread reuses them. These act on the CALLING thread only:
 * the bytes it keeps now, and freeing them at once (e.g. from each scanning thread on the
 * platform's memory-pressure signal: Android onTrimMemory, iOS didReceiveMemoryWarning). A thread
 * that exits frees its buffers itself. */
size_t hv_thread_memory_bytes(void);
void hv_thread_memory_release(void);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* HASHVEIL_HASHVEIL_H_ */
