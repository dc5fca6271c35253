// hashveil: one binary, one subcommand per job (docs/design.md section 9).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "commands.h"

int main(int argc, char** argv) {
  using namespace hashveil::tools;
  CLI::App app{"hashveil: private, threshold-gated perceptual-hash matching"};
  app.set_version_flag("--version", "hashveil " HASHVEIL_VERSION);
  app.require_subcommand(1);
  int exit_code = kExitOk;
  // Subcommands register here, one line each.
  AddHashCommand(app, &exit_code);
  AddKeygenCommand(app, &exit_code);
  AddDbImportCommand(app, &exit_code);
  AddDbSourcesCommands(app, &exit_code);
  AddDbRemoveCommand(app, &exit_code);
  AddDbBuildCommand(app, &exit_code);
  AddDbInfoCommands(app, &exit_code);
  AddAuditDbCommand(app, &exit_code);
  AddAuditThresholdsCommand(app, &exit_code);
  AddAccountCommands(app, &exit_code);
  AddServeCommand(app, &exit_code);
  AddScanCommand(app, &exit_code);
  AddServerCommands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  } catch (const std::exception& e) {
    // Library code reports through Status; an exception here is a bug, reported without detail
    // that could carry user data.
    std::fprintf(stderr, "hashveil: internal error\n");
    return kExitSomeFailed;
  }
  return exit_code;
}
