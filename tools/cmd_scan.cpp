// `hashveil scan --db client.hvdb --account ACCOUNT.state [--account-key KEYFILE]
//  [--account-name NAME] [--publisher publisher.key.pub] --out DIR IMAGE...` (docs/design.md
// section 9): the device side. One voucher per image, written to DIR/<image file name>.voucher,
// bound to the account name the server files it under (default: the state file's name without
// its extension, alice.state: alice). The account state is created on first use, encrypted
// with the 32-byte key in KEYFILE (default ACCOUNT.state.key, created 0600 when absent). A DB
// whose privacy parameters are below the client's floor (--min-threshold, --min-synthetic-rate:
// psi::PrivacyFloor's defaults) is refused. An image that fails is named by its position on stderr, the rest are still
// scanned, and the exit code is 1. The output never says whether anything matched: the device
// cannot know.
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "commands.h"
#include "db_report.h"
#include "hashveil/common/random.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/scanner.h"
#include "key_file.h"
#include "progress_bar.h"

namespace hashveil::tools {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxImageFileBytes = std::size_t{256} << 20;

struct ScanArgs {
  std::string db;
  std::string account;
  std::string account_key;
  std::string account_name;
  std::uint32_t min_threshold = psi::PrivacyFloor{}.min_threshold;
  double min_synthetic_rate = psi::PrivacyFloor{}.min_synthetic_rate_ppm / 1e6;
  std::string publisher = "publisher.key.pub";
  std::string out;
  std::vector<std::string> images;
};

int RunScan(const ScanArgs& args) {
  auto random = MakeSystemRandom();
  auto publisher = hashdb::LoadPublisherPublicKey(args.publisher);
  if (!publisher.ok()) {
    PrintError("scan", "publisher public key file: " + publisher.status().ToString());
    return kExitSomeFailed;
  }
  const fs::path key_path = args.account_key.empty() ? args.account + ".key" : args.account_key;
  auto key = LoadKeyFile(key_path, /*create=*/true, *random);
  if (!key.ok()) {
    PrintError("scan", "account key file: " + key.status().ToString());
    return kExitSomeFailed;
  }
  ScannerOptions options{.db_path = args.db,
                         .publisher = *publisher,
                         .account_state_path = args.account,
                         .account_key = std::move(*key),
                         .account_name = args.account_name.empty()
                                             ? fs::path(args.account).stem().string()
                                             : args.account_name};
  options.privacy_floor.min_threshold = args.min_threshold;
  options.privacy_floor.min_synthetic_rate_ppm =
      static_cast<std::uint32_t>(args.min_synthetic_rate * 1e6 + 0.5);
  auto scanner = Scanner::Create(options);
  if (!scanner.ok()) {
    PrintError("scan", scanner.status().ToString());
    return kExitSomeFailed;
  }
  std::error_code ec;
  fs::create_directories(args.out, ec);
  if (ec) {
    PrintError("scan", "cannot create the output directory");
    return kExitSomeFailed;
  }

  int failures = 0;
  std::set<std::string> written;
  ProgressBar progress("scan", args.images.size());
  for (std::size_t i = 0; i < args.images.size(); ++i) {
    const std::string name = fs::path(args.images[i]).filename().string() + ".voucher";
    auto image = ReadFileBytes(args.images[i], kMaxImageFileBytes);
    Result<std::vector<std::uint8_t>> voucher =
        image.ok() ? (*scanner)->Scan(*image, {}) : Result<std::vector<std::uint8_t>>(image.status());
    Status status = voucher.status();
    if (status.ok() && !written.insert(name).second) {
      status = Status::InvalidInput("another image of this run has the same file name");
    }
    if (status.ok()) status = WriteFileAtomically(fs::path(args.out) / name, *voucher);
    if (!status.ok()) {
      std::fprintf(stderr, "hashveil scan: image %zu: %s\n", i + 1, status.ToString().c_str());
      ++failures;
    }
    progress.Advance();
  }
  progress.Finish();
  std::printf("vouchers=%zu failed=%d voucher_bytes=%zu\n", args.images.size() - failures,
              failures, (*scanner)->voucher_size());
  return failures == 0 ? kExitOk : kExitSomeFailed;
}

}  // namespace

void AddScanCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ScanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "scan", "The device side: one safety voucher per image (DIR/<image name>.voucher)");
  cmd->add_option("--db", args->db, "Client DB (.hvdb)")->required();
  cmd->add_option("--account", args->account, "Account state file (created on first use)")
      ->required();
  cmd->add_option("--account-key", args->account_key,
                  "32-byte key file of the account state (default: ACCOUNT.key, created 0600)");
  cmd->add_option("--account-name", args->account_name,
                  "Name the server files the vouchers under (default: ACCOUNT without extension)");
  cmd->add_option("--min-threshold", args->min_threshold,
                  "Refuse a DB whose threshold t is lower (the client's privacy floor)")
      ->capture_default_str();
  cmd->add_option("--min-synthetic-rate", args->min_synthetic_rate,
                  "Refuse a DB whose synthetic rate p_syn is lower (the client's privacy floor)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--publisher", args->publisher, "Publisher public key file")
      ->capture_default_str();
  cmd->add_option("--out", args->out, "Directory for the vouchers")->required();
  cmd->add_option("IMAGE", args->images, "Images to scan")->required();
  cmd->callback([args, exit_code] { *exit_code = RunScan(*args); });
}

}  // namespace hashveil::tools
