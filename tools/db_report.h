// Text the DB commands print about a client DB: its parameters and digest, as "name: value"
// lines that people read and scripts split on ": ".
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "hashveil/hashdb/client_db.h"

namespace hashveil::tools {

void PrintDbParams(const hashdb::ClientDbParams& params);
void PrintDbDigest(const hashdb::Digest& digest);
// client.hvdb -> client.hvdb.proof: where db build writes the auditor proof by default.
std::filesystem::path DefaultProofPath(const std::filesystem::path& db_path);
// `error` on stderr prefixed with the command, e.g. "hashveil db build: server secret file: ...".
void PrintError(const std::string& command, const std::string& error);

}  // namespace hashveil::tools
