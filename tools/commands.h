// The `hashveil` subcommands (docs/design.md section 9). Each Add*Command registers one subcommand
// (or a group) on the app; when the subcommand runs, its exit code is stored in *exit_code.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace hashveil::tools {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;          // everything succeeded
inline constexpr int kExitSomeFailed = 1;  // some input failed; the rest was processed
inline constexpr int kExitUsage = 2;       // bad command line

// hashveil hash [--dihedral] [--reference] [--json] PATH...
void AddHashCommand(CLI::App& app, int* exit_code);

// The group subcommand `name` ("db", "audit"), created by whichever of its commands registers
// first, so that each command still registers with one line in main.cpp.
inline CLI::App& CommandGroup(CLI::App& app, const std::string& name,
                              const std::string& description) {
  auto found = app.get_subcommands([&](CLI::App* sub) { return sub->get_name() == name; });
  if (!found.empty()) return *found.front();
  CLI::App* group = app.add_subcommand(name, description);
  group->require_subcommand(1);
  return *group;
}

// hashveil keygen --secret server.key --signing publisher.key
void AddKeygenCommand(CLI::App& app, int* exit_code);
// hashveil db import --store S.sqlite --source NAME --jurisdiction CC [--skip-bad] FILE|DIR...
void AddDbImportCommand(CLI::App& app, int* exit_code);
// hashveil db sources --store S.sqlite; hashveil db history --store S.sqlite
void AddDbSourcesCommands(CLI::App& app, int* exit_code);
// hashveil db remove --store S.sqlite (--source NAME --all | [--source NAME] --hash HEX...)
void AddDbRemoveCommand(CLI::App& app, int* exit_code);
// hashveil db build --store S.sqlite --secret server.key --signing publisher.key --out client.hvdb ...
void AddDbBuildCommand(CLI::App& app, int* exit_code);
// hashveil db info client.hvdb; hashveil db verify client.hvdb --publisher publisher.key.pub
void AddDbInfoCommands(CLI::App& app, int* exit_code);
// hashveil audit db --store S.sqlite --db client.hvdb [--proof P] [--publisher publisher.key.pub]
void AddAuditDbCommand(CLI::App& app, int* exit_code);
// hashveil audit thresholds --corpus DIR --out DIR [--db client.hvdb] [--grid SPEC] [--seed N]
void AddAuditThresholdsCommand(CLI::App& app, int* exit_code);

// hashveil scan --db client.hvdb --account ACCOUNT.state [--account-key KEYFILE] --out DIR IMAGE...
void AddScanCommand(CLI::App& app, int* exit_code);
// hashveil server ingest ... / hashveil server process ... (docs/design.md section 9) /
// hashveil server shards --store URI [--assign FIRST-LAST=URI] [--show-uris] (issue 13)
void AddServerCommands(CLI::App& app, int* exit_code);

// hashveil serve --store server.sqlite --secret server.key --listen HOST:PORT --token-file TOKEN ...
void AddServeCommand(CLI::App& app, int* exit_code);

// hashveil account export|import --db client.hvdb --account A.state [--account-key K]
//   (--out|--in) FILE (--passphrase-file F | --key-file T)
void AddAccountCommands(CLI::App& app, int* exit_code);

}  // namespace hashveil::tools
