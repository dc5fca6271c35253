// Prints HashLine (hash_line.h) for every image file named on stdin, one per line, in order: the
// device-only build's view of the test images, which DeviceOnlyBuildTest compares with the full
// build's. Exit 0, or 1 if a file could not be read.
#include <iostream>
#include <string>

#include "hash_line.h"
#include "hashveil/common/secret_file.h"

int main() {
  int exit_code = 0;
  std::string path;
  while (std::getline(std::cin, path)) {
    const auto bytes = hashveil::ReadFileBytes(path, std::size_t{1} << 30);
    if (!bytes.ok()) {
      std::cout << "unreadable\n";
      exit_code = 1;
      continue;
    }
    std::cout << hashveil::testing::HashLine(*bytes) << '\n';
  }
  return exit_code;
}
