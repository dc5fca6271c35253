/* A messenger's send path in C: open the client DB and the account, scan one image, write its
 * safety voucher. The app would then encrypt the image end to end and upload both.
 *
 *   hashveil_scan_example DB.hvdb PUBLISHER.pub ACCOUNT.state ACCOUNT_NAME ACCOUNT.key IMAGE \
 *       VOUCHER_OUT
 *
 * ACCOUNT_NAME is the name the voucher service files the account's vouchers under (bound into
 * every voucher). ACCOUNT.key holds the 32-byte key that encrypts the account state (in an app, the platform
 * keystore holds it). Exit 0 on success, 1 on failure, 2 on a bad command line. */
#include <stdio.h>
#include <stdlib.h>

#include "hashveil/hashveil.h"

/* Reads a whole file into a new buffer (freed by the caller); NULL on failure. */
static uint8_t* read_file(const char* path, size_t* size_out) {
  FILE* file = fopen(path, "rb");
  uint8_t* data = NULL;
  long size;
  if (file == NULL) return NULL;
  if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 && fseek(file, 0, SEEK_SET) == 0) {
    data = malloc(size > 0 ? (size_t)size : 1);
    if (data != NULL && fread(data, 1, (size_t)size, file) != (size_t)size) {
      free(data);
      data = NULL;
    }
    *size_out = (size_t)size;
  }
  fclose(file);
  return data;
}

static int write_file(const char* path, const uint8_t* data, size_t size) {
  FILE* file = fopen(path, "wb");
  int ok;
  if (file == NULL) return 0;
  ok = fwrite(data, 1, size, file) == size;
  return fclose(file) == 0 && ok;
}

int main(int argc, char** argv) {
  char message[256];
  uint8_t publisher_key[HV_PUBLISHER_KEY_BYTES];
  hv_scanner* scanner = NULL;
  uint8_t* account_key = NULL;
  uint8_t* image = NULL;
  uint8_t* voucher = NULL;
  size_t account_key_size = 0, image_size = 0, voucher_size = 0;
  const char metadata[] = "example-message-id";
  int status, exit_code = 1;

  if (argc != 8) {
    fprintf(stderr,
            "usage: %s DB.hvdb PUBLISHER.pub ACCOUNT.state ACCOUNT_NAME ACCOUNT.key IMAGE "
            "VOUCHER_OUT\n",
            argv[0]);
    return 2;
  }
  printf("hashveil %s\n", hv_version());

  status = hv_publisher_key_load(argv[2], publisher_key, message, sizeof message);
  if (status != HV_OK) {
    fprintf(stderr, "publisher key: %s: %s\n", hv_status_name(status), message);
    return 1;
  }
  account_key = read_file(argv[5], &account_key_size);
  if (account_key == NULL || account_key_size != HV_ACCOUNT_KEY_BYTES) {
    fprintf(stderr, "account key: expected a file of %d bytes\n", HV_ACCOUNT_KEY_BYTES);
    goto done;
  }
  status = hv_scanner_create(argv[1], publisher_key, argv[3], argv[4], account_key, 0, &scanner,
                             message, sizeof message);
  if (status != HV_OK) {
    fprintf(stderr, "scanner: %s: %s\n", hv_status_name(status), message);
    goto done;
  }
  image = read_file(argv[6], &image_size);
  voucher = malloc(hv_scanner_voucher_size(scanner));
  if (image == NULL || voucher == NULL) {
    fprintf(stderr, "image: cannot read it\n");
    goto done;
  }
  status = hv_scanner_scan(scanner, image, image_size, (const uint8_t*)metadata,
                           sizeof metadata - 1, voucher, hv_scanner_voucher_size(scanner),
                           &voucher_size, message, sizeof message);
  if (status != HV_OK) {
    fprintf(stderr, "scan: %s: %s\n", hv_status_name(status), message);
    goto done;
  }
  if (!write_file(argv[7], voucher, voucher_size)) {
    fprintf(stderr, "voucher: cannot write it\n");
    goto done;
  }
  printf("voucher: %zu bytes (threshold %u)\n", voucher_size,
         (unsigned)hv_scanner_threshold(scanner));
  exit_code = 0;

done:
  hv_scanner_destroy(scanner);
  free(voucher);
  free(image);
  free(account_key);
  return exit_code;
}
