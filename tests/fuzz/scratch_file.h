// A per-process scratch file for entry points that take a path (the mmap loader, SQLite, key
// files): each fuzz input is written to it, then the entry point reads it back. Placed on
// /dev/shm when there is one, so a fuzzing run does not wear a disk.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>

namespace hashveil::fuzz {

class ScratchFile {
 public:
  explicit ScratchFile(std::string_view role) {
    std::error_code ec;
    const std::filesystem::path shm = "/dev/shm";
    const auto dir = std::filesystem::is_directory(shm, ec) ? shm
                                                            : std::filesystem::temp_directory_path();
    path_ = dir / ("hv-fuzz-" + std::string(role) + "-" + std::to_string(::getpid()));
  }
  ~ScratchFile() { Remove(); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Replaces the file's contents with `bytes`.
  void Write(std::span<const std::uint8_t> bytes) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  // Removes the file and what SQLite may have left beside it (a hot journal left by the previous
  // input would be rolled back into the next one).
  void Remove() const {
    std::error_code ec;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      std::filesystem::remove(path_.native() + suffix, ec);
    }
  }

 private:
  std::filesystem::path path_;
};

}  // namespace hashveil::fuzz
