// Scans one image with the installed library, through the C++ API, and checks the C ABI's
// version against the headers it was compiled with.
//   consumer DB.hvdb PUBLISHER.pub ACCOUNT.state ACCOUNT.key IMAGE VOUCHER_OUT
#include <hashveil/common/secret_file.h>
#include <hashveil/hashdb/keys.h>
#include <hashveil/hashveil.h>
#include <hashveil/scanner.h>

#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: consumer DB PUBLISHER ACCOUNT_STATE ACCOUNT_KEY IMAGE OUT\n");
    return 2;
  }
  if (std::strcmp(hv_version(), HASHVEIL_VERSION_STRING) != 0) {
    std::fprintf(stderr, "library %s, headers %s\n", hv_version(), HASHVEIL_VERSION_STRING);
    return 1;
  }
  hashveil::ScannerOptions options;
  options.db_path = argv[1];
  auto publisher = hashveil::hashdb::LoadPublisherPublicKey(argv[2]);
  auto key = hashveil::ReadSecretFile(argv[4], hashveil::psi::kAccountStateKeyBytes);
  auto image = hashveil::ReadFileBytes(argv[5], 64 << 20);
  if (!publisher.ok() || !key.ok() || !image.ok()) {
    std::fprintf(stderr, "cannot read an input file\n");
    return 1;
  }
  options.publisher = *publisher;
  options.account_state_path = argv[3];
  options.account_name = options.account_state_path.stem().string();  // alice.state: alice
  std::memcpy(options.account_key.data(), key->data(), key->size());
  auto scanner = hashveil::Scanner::Create(options);
  if (!scanner.ok()) {
    std::fprintf(stderr, "scanner: %s\n", scanner.status().ToString().c_str());
    return 1;
  }
  auto voucher = (*scanner)->Scan(*image, {});
  if (!voucher.ok()) {
    std::fprintf(stderr, "scan: %s\n", voucher.status().ToString().c_str());
    return 1;
  }
  if (!hashveil::WriteFileAtomically(argv[6], *voucher).ok()) return 1;
  std::printf("hashveil %s: voucher of %zu bytes\n", hv_version(), voucher->size());
  return 0;
}
