// The `hashveil` subcommands (DESIGN.md section 9). Each Add*Command registers one subcommand
// (or a group) on the app; when the subcommand runs, its exit code is stored in *exit_code.
#pragma once

#include <CLI/CLI.hpp>

namespace hashveil::tools {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;          // everything succeeded
inline constexpr int kExitSomeFailed = 1;  // some input failed; the rest was processed
inline constexpr int kExitUsage = 2;       // bad command line

// hashveil hash [--dihedral] [--reference] [--json] PATH...
void AddHashCommand(CLI::App& app, int* exit_code);

}  // namespace hashveil::tools
