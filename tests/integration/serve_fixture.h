// The files `hashveil serve` runs on, made once per test suite with the real CLI from real
// photos: keys, a client DB of the first 4 photos (threshold 3, no synthetics) with the source
// store behind it, a bearer token file, and one voucher per photo from account "alice".
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "serve_process.h"

namespace hashveil::testing {

inline constexpr const char* kServeToken = "test-token-0123456789abcdef";

// Writes into `dir`: server.key, pub.key(.pub), members.csv, S.sqlite, client.hvdb, token and
// vouchers/<photo file name>.voucher for the first 10 photos (the 4 members, then 6 others).
// Returns the voucher file names in the photos' order. Needs at least 10 photos.
inline std::vector<std::string> MakeServeFiles(const std::filesystem::path& dir,
                                               const std::vector<std::filesystem::path>& photos) {
  const std::string hv = HASHVEIL_BINARY;
  const std::string d = dir.string();
  RunOk(hv + " keygen --secret " + d + "/server.key --signing " + d + "/pub.key");
  std::string members, others;
  for (std::size_t i = 0; i < 4; ++i) members += " '" + photos[i].string() + "'";
  for (std::size_t i = 4; i < 10; ++i) others += " '" + photos[i].string() + "'";
  RunOk(hv + " hash" + members + " > " + d + "/members.csv");
  RunOk(hv + " db import --store " + d + "/S.sqlite --source a --jurisdiction US " + d + "/members.csv");
  RunOk(hv + " db import --store " + d + "/S.sqlite --source b --jurisdiction GB " + d + "/members.csv");
  // No synthetics: a member drawn synthetic would not count, and the tests assert when the account
  // crosses; synthetics have their own unit and property tests.
  RunOk(hv + " db build --store " + d + "/S.sqlite --secret " + d + "/server.key --signing " + d +
        "/pub.key --out " + d + "/client.hvdb --threshold 3 --synthetic-rate 0");
  RunOk(hv + " scan --db " + d + "/client.hvdb --publisher " + d + "/pub.key.pub --account " + d +
        "/alice.state --min-synthetic-rate 0 --out " + d + "/vouchers" + members + others);
  std::vector<std::string> voucher_names;
  for (std::size_t i = 0; i < 10; ++i) voucher_names.push_back(photos[i].filename().string() + ".voucher");
  std::ofstream(dir / "token") << kServeToken << "\n";
  std::filesystem::permissions(dir / "token",
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return voucher_names;
}

// `hashveil serve` on 127.0.0.1:0 over the files MakeServeFiles wrote, with the store
// `dir`/store/server.sqlite; `with_db` adds --db and --publisher (needed on a store's first start).
inline std::vector<std::string> ServeArgv(const std::filesystem::path& dir, bool with_db) {
  const std::string d = dir.string();
  std::vector<std::string> argv = {HASHVEIL_BINARY, "serve", "--store", d + "/store/server.sqlite",
                                   "--secret", d + "/server.key", "--listen", "127.0.0.1:0",
                                   "--token-file", d + "/token", "--sources", d + "/S.sqlite",
                                   "--reports", d + "/reports", "--process-interval", "3600"};
  if (with_db) {
    for (const char* arg : {"--db", "client.hvdb", "--publisher", "pub.key.pub"}) {
      argv.push_back(arg[0] == '-' ? std::string(arg) : d + "/" + arg);
    }
  }
  return argv;
}

}  // namespace hashveil::testing
