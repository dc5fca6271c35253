// Writes a signed .hvdb (layout in client_db_format.h). The builder is the production caller;
// tests also use it to sign deliberately bad tables and check that Load refuses them.
#pragma once

#include <filesystem>
#include <span>

#include "hashveil/hashdb/client_db.h"
#include "hashveil/hashdb/keys.h"

namespace hashveil::hashdb {

// Writes header, points, digest and the publisher's signature atomically; returns the digest.
// Always the current format (kClientDbFormatVersion): other params.format_version values are
// kInvalidInput. The parameters are checked as Load checks them (kInvalidInput); the points are
// written as given (the builder makes them valid). kFailedPrecondition when `path` exists and
// `overwrite` is false (checked atomically); kIoError when the file cannot be written.
Result<Digest> WriteClientDb(const ClientDbParams& params, std::span<const psi::Point> points,
                             const PublisherKeyPair& publisher, const std::filesystem::path& path,
                             bool overwrite = true);

}  // namespace hashveil::hashdb
