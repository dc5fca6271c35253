#include "client_db_writer.h"

#include <sodium.h>

#include <string>

#include "client_db_format.h"
#include "hashveil/common/secret_file.h"

namespace hashveil::hashdb {

Result<Digest> WriteClientDb(const ClientDbParams& params, std::span<const psi::Point> points,
                             const PublisherKeyPair& publisher, const std::filesystem::path& path,
                             bool overwrite) {
  if (points.size() != params.cell_count) {
    return Status::InvalidInput("point count differs from the cell count");
  }
  if (params.format_version != kClientDbFormatVersion) {
    return Status::InvalidInput("client DB parameters: this build writes format version " +
                                std::to_string(kClientDbFormatVersion) + " only");
  }
  std::vector<std::uint8_t> file = EncodeClientDbHeader(params);
  // Refuse to sign what a loader would refuse to read.
  if (auto decoded = DecodeClientDbHeader(file); !decoded.ok()) {
    return Status::InvalidInput("client DB parameters: " + decoded.status().message());
  }
  file.reserve(ClientDbFileBytes(params.cell_count));
  for (const psi::Point& point : points) {
    file.insert(file.end(), point.bytes.begin(), point.bytes.end());
  }
  const Digest digest = ComputeClientDbDigest(file);
  std::array<std::uint8_t, kSignatureBytes> signature{};
  const std::vector<std::uint8_t> message = ClientDbSignedMessage(digest);
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                       publisher.secret_key.data());
  file.insert(file.end(), digest.begin(), digest.end());
  file.insert(file.end(), signature.begin(), signature.end());
  HV_RETURN_IF_ERROR(WriteFileAtomically(path, file, overwrite).WithContext("writing client DB"));
  return digest;
}

}  // namespace hashveil::hashdb
