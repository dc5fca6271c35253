// Runs the real `hashveil` binary for integration tests: stdout captured, stderr through a file.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace hashveil::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadTextFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

// `binary args 2>err_file`, through the shell (tests quote nothing: their paths have no spaces).
inline CliRun RunCli(const std::string& binary, const std::string& args,
                     const std::filesystem::path& err_file) {
  const std::string command = binary + " " + args + " 2>" + err_file.string();
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) run.out += buffer.data();
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = ReadTextFile(err_file);
  return run;
}

}  // namespace hashveil::testing
