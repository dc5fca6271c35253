// Helpers for the tests that run `hashveil serve` and the example messenger as real processes:
// a child process with its stdout in a file, the port it printed, and CLI runs.
#pragma once

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace hashveil::testing {

inline std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A child process; killed with SIGKILL if still running when destroyed.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, std::filesystem::path stdout_path)
      : stdout_path_(std::move(stdout_path)) {
    std::filesystem::remove(stdout_path_);  // so WaitForPort never reads an earlier run's port
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = ::open(stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      std::vector<char*> args;
      for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~ChildProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The port from the "listening on HOST:PORT" line, waiting up to 20 s for it; 0 if none came.
  int WaitForPort() {
    const std::regex listening(R"(listening on [^\s]*:(\d+))");
    for (int i = 0; i < 400; ++i) {
      std::smatch match;
      const std::string out = ReadText(stdout_path_);
      if (std::regex_search(out, match, listening)) return std::stoi(match[1]);
      if (exited_ || waitpid(pid_, &status_, WNOHANG) == pid_) {
        exited_ = true;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
  }
  void Signal(int signal) { kill(pid_, signal); }
  // The exit status (as waitpid reports it).
  int Wait() {
    if (!exited_) waitpid(pid_, &status_, 0);
    exited_ = true;
    return status_;
  }
  std::string Output() const { return ReadText(stdout_path_); }

 private:
  std::filesystem::path stdout_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

// Runs a shell command, returning its stdout; EXPECTs exit status 0.
inline std::string RunOk(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  EXPECT_EQ(status, 0) << command << "\n" << out;
  return out;
}

// The summary line of `account` in `server process`-style output, or "".
inline std::string AccountLine(const std::string& lines, const std::string& account) {
  std::istringstream in(lines);
  std::string line, found;
  while (std::getline(in, line)) {
    if (line.rfind("account=" + account + " ", 0) == 0) found = line;  // the latest
  }
  return found;
}

}  // namespace hashveil::testing
