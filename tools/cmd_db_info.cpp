// `hashveil db info client.hvdb` and `hashveil db verify client.hvdb --publisher KEY.pub`
// (docs/design.md section 9). Both check the file's structure, digest and points; only verify
// checks the publisher's signature, and only verify's output says the DB is verified.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "commands.h"
#include "db_report.h"
#include "hashveil/hashdb/client_db.h"

namespace hashveil::tools {
namespace {

struct DbInfoArgs {
  std::string db;
  std::string publisher;
};

// Whether devices would still use the DB now (hashdb::CheckClientDbFresh with this clock).
void PrintFreshness(const hashdb::ClientDbParams& params) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const bool fresh = hashdb::CheckClientDbFresh(params, static_cast<std::uint64_t>(now)).ok();
  std::printf("freshness: %s\n", fresh ? "current (devices use it until it expires)"
                                        : "EXPIRED (devices refuse it; the server still opens "
                                          "its vouchers)");
}

int RunDbInfo(const DbInfoArgs& args) {
  auto db = hashdb::ClientDb::LoadIgnoringSignature(args.db);
  if (!db.ok()) {
    PrintError("db info", "client DB: " + db.status().ToString());
    return kExitSomeFailed;
  }
  PrintDbParams((*db)->params());
  PrintFreshness((*db)->params());
  PrintDbDigest((*db)->digest());
  std::printf("signature: not checked (run `hashveil db verify --publisher KEY.pub`)\n");
  return kExitOk;
}

int RunDbVerify(const DbInfoArgs& args) {
  auto publisher = hashdb::LoadPublisherPublicKey(args.publisher);
  if (!publisher.ok()) {
    PrintError("db verify", "publisher public key file (--publisher): " +
                                publisher.status().ToString());
    return kExitSomeFailed;
  }
  auto db = hashdb::ClientDb::Load(args.db, *publisher);
  if (!db.ok()) {
    PrintError("db verify", "REFUSED: " + db.status().ToString());
    return kExitSomeFailed;
  }
  PrintDbParams((*db)->params());
  PrintFreshness((*db)->params());
  PrintDbDigest((*db)->digest());
  std::printf("verified: publisher signature, digest, format and %llu cell points (valid, "
              "non-identity, pairwise distinct)\n",
              static_cast<unsigned long long>((*db)->params().cell_count));
  return kExitOk;
}

}  // namespace

void AddDbInfoCommands(CLI::App& app, int* exit_code) {
  CLI::App& db = CommandGroup(app, "db", "The hash database: import, build, inspect, verify");
  auto args = std::make_shared<DbInfoArgs>();
  CLI::App* info = db.add_subcommand("info", "Print a client DB's parameters and digest");
  info->add_option("db", args->db, "Client DB file (.hvdb)")->required();
  info->callback([args, exit_code] { *exit_code = RunDbInfo(*args); });

  CLI::App* verify = db.add_subcommand(
      "verify", "Check a client DB's publisher signature, digest and structure");
  verify->add_option("db", args->db, "Client DB file (.hvdb)")->required();
  verify->add_option("--publisher", args->publisher, "Publisher public key file (.pub)")
      ->required();
  verify->callback([args, exit_code] { *exit_code = RunDbVerify(*args); });
}

}  // namespace hashveil::tools
