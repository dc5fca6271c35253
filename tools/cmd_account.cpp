// `hashveil account export|import`: moves an account's state to another device of the same
// account (docs/design.md section 5, "Account state"), so that the devices share one threshold and
// an image sent from both counts once.
//
//   hashveil account export --db client.hvdb --account A.state [--account-key K] --out A.export
//                           (--passphrase-file F | --key-file T)
//   hashveil account import --db client.hvdb --in A.export --account B.state [--account-key K]
//                           (--passphrase-file F | --key-file T)
//
// The export is sealed under a 32-byte transport key (T; export creates it 0600 when absent,
// to be carried to the other device out of band) or under a passphrase (Argon2id). The DB
// supplies the threshold and synthetic parameters the state is bound to. Import creates the
// new device's state file, encrypted at rest under its own key (default B.state.key, created
// 0600 when absent).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "commands.h"
#include "db_report.h"
#include "key_file.h"
#include "hashveil/common/random.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/psi/account_state.h"

namespace hashveil::tools {
namespace {

namespace fs = std::filesystem;

// An export holds t scalars, s*(t-1) tag coefficients and the synthetic records: at most
// t = s = 1024 make about 8.4 MB.
constexpr std::size_t kMaxExportBytes = std::size_t{16} << 20;
constexpr std::size_t kMaxPassphraseBytes = 4096;

struct AccountArgs {
  std::string db;
  std::string publisher = "publisher.key.pub";
  std::string account;
  std::string account_key;
  std::string transfer;  // --out for export, --in for import
  std::string passphrase_file;
  std::string key_file;
};

// The passphrase file's text without its trailing line break.
Result<SecretBytes> LoadPassphrase(const fs::path& path) {
  HV_ASSIGN_OR_RETURN(SecretBytes text, ReadSecretFile(path, 0));
  std::size_t length = text.size();
  while (length > 0 && (text.data()[length - 1] == '\n' || text.data()[length - 1] == '\r')) {
    --length;
  }
  if (length == 0) return Status::InvalidInput("the passphrase is empty");
  if (length > kMaxPassphraseBytes) return Status::InvalidInput("the passphrase is too long");
  return SecretBytes(text.span().first(length));
}

std::string_view AsText(const SecretBytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

Result<psi::AccountParameters> ParametersFromDb(const AccountArgs& args) {
  auto publisher = hashdb::LoadPublisherPublicKey(args.publisher);
  if (!publisher.ok()) return publisher.status().WithContext("publisher public key file");
  auto db = hashdb::ClientDb::Load(args.db, *publisher);
  if (!db.ok()) return db.status().WithContext("client DB");
  const hashdb::ClientDbParams& params = (*db)->params();
  return psi::AccountParameters{.threshold = params.threshold,
                                .synthetic_max = params.synthetic_max,
                                .synthetic_rate_ppm = params.synthetic_rate_ppm};
}

fs::path AccountKeyPath(const AccountArgs& args) {
  return args.account_key.empty() ? fs::path(args.account + ".key") : fs::path(args.account_key);
}

Status Export(const AccountArgs& args, RandomSource& random) {
  HV_ASSIGN_OR_RETURN(const psi::AccountParameters params, ParametersFromDb(args));
  if (!fs::exists(args.account)) return Status::NotFound("account state file does not exist");
  auto storage_key = LoadKeyFile(AccountKeyPath(args), /*create=*/false, random);
  if (!storage_key.ok()) return storage_key.status().WithContext("account key file");
  auto account = psi::AccountState::OpenOrCreate(args.account, *storage_key, params, random);
  if (!account.ok()) return account.status().WithContext("account state");
  std::vector<std::uint8_t> blob;
  if (!args.passphrase_file.empty()) {
    HV_ASSIGN_OR_RETURN(const SecretBytes passphrase, LoadPassphrase(args.passphrase_file));
    HV_ASSIGN_OR_RETURN(blob, (*account)->ExportWithPassphrase(AsText(passphrase), random));
  } else {
    auto transport = LoadKeyFile(args.key_file, /*create=*/true, random);
    if (!transport.ok()) return transport.status().WithContext("transport key file");
    blob = (*account)->Export(*transport, random);
  }
  return WriteSecretFile(args.transfer, blob).WithContext("export file");
}

Status Import(const AccountArgs& args, RandomSource& random) {
  HV_ASSIGN_OR_RETURN(const psi::AccountParameters params, ParametersFromDb(args));
  auto blob = ReadFileBytes(args.transfer, kMaxExportBytes);
  if (!blob.ok()) return blob.status().WithContext("export file");
  if (fs::exists(args.account)) {
    return Status::FailedPrecondition("account state file already exists");
  }
  auto storage_key = LoadKeyFile(AccountKeyPath(args), /*create=*/true, random);
  if (!storage_key.ok()) return storage_key.status().WithContext("account key file");
  Result<std::unique_ptr<psi::AccountState>> account = Status::Internal("not imported");
  if (!args.passphrase_file.empty()) {
    HV_ASSIGN_OR_RETURN(const SecretBytes passphrase, LoadPassphrase(args.passphrase_file));
    account = psi::AccountState::ImportWithPassphrase(*blob, AsText(passphrase), args.account,
                                                      *storage_key, params, random);
  } else {
    auto transport = LoadKeyFile(args.key_file, /*create=*/false, random);
    if (!transport.ok()) return transport.status().WithContext("transport key file");
    account = psi::AccountState::Import(*blob, *transport, args.account, *storage_key, params,
                                        random);
  }
  return account.status().WithContext("account state");
}

// Both subcommands take the DB, the account and exactly one of the two transport secrets.
CLI::App* AddAccountSubcommand(CLI::App& group, const std::string& name,
                               const std::string& description, AccountArgs& args,
                               const std::string& transfer_option,
                               const std::string& transfer_help) {
  CLI::App* cmd = group.add_subcommand(name, description);
  cmd->add_option("--db", args.db, "Client DB (.hvdb): the parameters the state is bound to")
      ->required();
  cmd->add_option("--publisher", args.publisher, "Publisher public key file")
      ->capture_default_str();
  cmd->add_option("--account", args.account, "Account state file")->required();
  cmd->add_option("--account-key", args.account_key,
                  "32-byte key file of the account state (default: ACCOUNT.key)");
  cmd->add_option(transfer_option, args.transfer, transfer_help)->required();
  auto* passphrase = cmd->add_option("--passphrase-file", args.passphrase_file,
                                     "File holding the passphrase that seals the export");
  auto* key = cmd->add_option("--key-file", args.key_file,
                              "32-byte transport key file that seals the export");
  passphrase->excludes(key);
  key->excludes(passphrase);
  return cmd;
}

void Run(const char* command, Status (*body)(const AccountArgs&, RandomSource&),
         const AccountArgs& args, int* exit_code) {
  if (args.passphrase_file.empty() && args.key_file.empty()) {
    PrintError(command, "one of --passphrase-file and --key-file is required");
    *exit_code = kExitUsage;
    return;
  }
  const auto random = MakeSystemRandom();
  const Status status = body(args, *random);
  if (!status.ok()) PrintError(command, status.ToString());
  *exit_code = status.ok() ? kExitOk : kExitSomeFailed;
}

}  // namespace

void AddAccountCommands(CLI::App& app, int* exit_code) {
  CLI::App& group = CommandGroup(app, "account", "Move an account's state between its devices");
  auto export_args = std::make_shared<AccountArgs>();
  AddAccountSubcommand(group, "export", "Seal the account state for another device",
                       *export_args, "--out", "Export file to write (0600)")
      ->callback([export_args, exit_code] {
        Run("account export", Export, *export_args, exit_code);
      });
  auto import_args = std::make_shared<AccountArgs>();
  AddAccountSubcommand(group, "import", "Create this device's account state from an export",
                       *import_args, "--in", "Export file from the other device")
      ->callback([import_args, exit_code] {
        Run("account import", Import, *import_args, exit_code);
      });
}

}  // namespace hashveil::tools
