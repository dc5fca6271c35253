// `hashveil keygen --secret server.key --signing publisher.key` (docs/design.md section 9): the
// server's blinding secret alpha and the publisher's Ed25519 key pair, in files of mode 0600
// (the public key in publisher.key.pub, 0644). Refuses to overwrite an existing key, and to
// write through a symbolic link; the modes it prints are the ones the files have
// (docs/threat-model.md, "Files and modes").
#include <cstdint>
#include <cstdio>
#include <string>

#include "commands.h"
#include "db_report.h"
#include "hashveil/common/hex.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/hashdb/keys.h"

namespace hashveil::tools {
namespace {

struct KeygenArgs {
  std::string secret;
  std::string signing;
};

// The mode stat shows now, never the one the writer meant to set.
std::string DescribeMode(const std::string& path) {
  const Result<std::uint32_t> mode = FilePermissions(path);
  if (!mode.ok()) return "mode unknown: " + mode.status().ToString();
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(*mode));
  return std::string("mode ") + text;
}

int RunKeygen(const KeygenArgs& args) {
  const std::string public_path = args.signing + ".pub";
  auto random = MakeSystemRandom();
  // Check both targets first so a refusal does not leave half a key set behind. A symbolic
  // link counts as there, dangling or not: the writers refuse it.
  std::error_code ec;
  for (const std::string* path : {&args.secret, &args.signing, &public_path}) {
    if (std::filesystem::symlink_status(*path, ec).type() != std::filesystem::file_type::not_found) {
      PrintError("keygen", "refusing to overwrite an existing key file or link (argument " +
                               std::string(path == &args.secret ? "--secret" : "--signing") + ")");
      return kExitSomeFailed;
    }
  }
  const hashdb::ServerSecret secret = hashdb::GenerateServerSecret(*random);
  if (Status s = hashdb::SaveServerSecret(secret, args.secret); !s.ok()) {
    PrintError("keygen", "server secret file: " + s.ToString());
    return kExitSomeFailed;
  }
  const hashdb::PublisherKeyPair publisher = hashdb::GeneratePublisherKeys(*random);
  if (Status s = hashdb::SavePublisherKeys(publisher, args.signing, public_path); !s.ok()) {
    PrintError("keygen", "publisher key files: " + s.ToString());
    return kExitSomeFailed;
  }
  std::printf("server secret: written (%s)\n", DescribeMode(args.secret).c_str());
  std::printf("publisher key: written (%s), public key beside it with suffix .pub (%s)\n",
              DescribeMode(args.signing).c_str(), DescribeMode(public_path).c_str());
  std::printf("public point L: %s\n", ToHex(secret.public_point().bytes).c_str());
  std::printf("publisher public key: %s\n", ToHex(publisher.public_key).c_str());
  return kExitOk;
}

}  // namespace

void AddKeygenCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<KeygenArgs>();
  CLI::App* cmd = app.add_subcommand(
      "keygen", "Create the server blinding secret and the publisher signing key pair (0600)");
  cmd->add_option("--secret", args->secret, "Server blinding secret file to create")->required();
  cmd->add_option("--signing", args->signing,
                  "Publisher signing key file to create (its public key goes to FILE.pub)")
      ->required();
  cmd->callback([args, exit_code] { *exit_code = RunKeygen(*args); });
}

}  // namespace hashveil::tools
