#include "hashveil/hashdb/client_db.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "client_db_format.h"
#include "parallel_for.h"

namespace hashveil::hashdb {
namespace {

// A read-only private mapping of a whole file, unmapped on destruction.
class MappedFile {
 public:
  MappedFile(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() { ::munmap(const_cast<std::uint8_t*>(data_), size_); }
  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

Result<std::unique_ptr<MappedFile>> MapFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("client DB file does not exist");
    return Status::IoError(std::string("cannot open client DB: ") + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IoError("client DB is not a regular file");
  }
  if (st.st_size == 0) {
    ::close(fd);
    return Status::Corrupt("client DB file is empty");
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (data == MAP_FAILED) {
    return Status::IoError(std::string("cannot map client DB: ") + std::strerror(errno));
  }
  return std::make_unique<MappedFile>(static_cast<const std::uint8_t*>(data), size);
}

class MappedClientDb final : public ClientDb {
 public:
  MappedClientDb(std::unique_ptr<MappedFile> file, ClientDbParams params, const Digest& digest)
      : file_(std::move(file)), params_(std::move(params)), digest_(digest) {}

  const ClientDbParams& params() const override { return params_; }
  const Digest& digest() const override { return digest_; }
  psi::Point cell(std::uint64_t index) const override {
    assert(index < params_.cell_count);
    psi::Point point;
    std::memcpy(point.bytes.data(), points() + index * psi::kPointBytes, psi::kPointBytes);
    return point;
  }

 private:
  const std::uint8_t* points() const {
    return file_->bytes().data() + ClientDbHeaderBytes(params_.format_version);
  }

  std::unique_ptr<MappedFile> file_;
  ClientDbParams params_;
  Digest digest_;
};

// Devices reject a table with an invalid, identity or repeated point (docs/design.md section 5):
// a repeated point would let the server link probes of different keys.
Status CheckPoints(std::span<const std::uint8_t> point_bytes, std::uint64_t cell_count) {
  std::vector<psi::Point> points(cell_count);
  std::atomic<std::uint64_t> first_invalid{UINT64_MAX};
  HV_RETURN_IF_ERROR(ParallelFor(cell_count, 0, [&](std::uint64_t begin, std::uint64_t end) {
    for (std::uint64_t i = begin; i < end; ++i) {
      std::memcpy(points[i].bytes.data(), point_bytes.data() + i * psi::kPointBytes,
                  psi::kPointBytes);
      if (!psi::IsValidPoint(points[i])) {
        std::uint64_t seen = first_invalid.load();
        while (i < seen && !first_invalid.compare_exchange_weak(seen, i)) {
        }
      }
    }
    return Status::Ok();
  }));
  if (first_invalid != UINT64_MAX) {
    return Status::Corrupt("cell " + std::to_string(first_invalid.load()) +
                           " holds an invalid or identity point");
  }
  std::sort(points.begin(), points.end());
  if (std::adjacent_find(points.begin(), points.end()) != points.end()) {
    return Status::Corrupt("two cells hold the same point");
  }
  return Status::Ok();
}

Result<std::unique_ptr<ClientDb>> LoadClientDb(
    const std::filesystem::path& path, const PublisherPublicKey* publisher,
    const std::function<bool(const Digest&)>& points_checked_before) {
  HV_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, MapFile(path));
  const std::span<const std::uint8_t> bytes = file->bytes();
  HV_ASSIGN_OR_RETURN(ClientDbParams params, DecodeClientDbHeader(bytes));
  // Sizes before anything else touches the points.
  if (ClientDbFileBytes(params.cell_count, params.format_version) != bytes.size()) {
    return Status::Corrupt("file length does not match the cell count in its header "
                           "(truncated or extended)");
  }
  const auto signed_bytes = bytes.first(bytes.size() - kClientDbTrailerBytes);
  const Digest digest = ComputeClientDbDigest(signed_bytes);
  const auto stored_digest = bytes.subspan(signed_bytes.size(), sizeof(Digest));
  if (!std::equal(digest.begin(), digest.end(), stored_digest.begin())) {
    return Status::Corrupt("digest mismatch: the file was modified or damaged");
  }
  if (publisher != nullptr) {
    const auto signature = bytes.last(kSignatureBytes);
    const std::vector<std::uint8_t> message = ClientDbSignedMessage(digest);
    if (crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                    publisher->data()) != 0) {
      return Status::Corrupt("signature does not verify with the publisher key");
    }
  }
  if (!points_checked_before || !points_checked_before(digest)) {
    HV_RETURN_IF_ERROR(CheckPoints(signed_bytes.subspan(ClientDbHeaderBytes(params.format_version)),
                                   params.cell_count));
  }
  return std::unique_ptr<ClientDb>(
      std::make_unique<MappedClientDb>(std::move(file), std::move(params), digest));
}

}  // namespace

FillerSeedCommitment CommitToFillerSeed(const psi::FillerSeed& seed) {
  static constexpr std::string_view kDomain = "hashveil/filler-seed-commitment";
  std::array<std::uint8_t, 1 + kDomain.size() + psi::kFillerSeedBytes> message{};
  message[0] = static_cast<std::uint8_t>(kDomain.size());
  std::copy(kDomain.begin(), kDomain.end(), message.begin() + 1);
  std::copy(seed.begin(), seed.end(), message.begin() + 1 + kDomain.size());
  FillerSeedCommitment commitment{};
  crypto_generichash(commitment.data(), commitment.size(), message.data(), message.size(),
                     nullptr, 0);
  return commitment;
}

Result<psi::Element> ClientDb::ProbeValue(const matcher::MatchKey& key) const {
  const ClientDbParams& p = params();
  psi::Element sum;
  for (const std::uint64_t index : psi::OkvsCells(p.db_nonce, p.okvs_attempt, key, p.cell_count)) {
    auto point = psi::Element::Decode(cell(index));
    if (!point.ok()) return Status::Corrupt("a client DB cell is not a valid point");
    sum += *point;
  }
  if (sum.IsIdentity()) return Status::Corrupt("a probe's cells sum to the identity");
  return sum;
}

Status CheckClientDbFresh(const ClientDbParams& params, std::uint64_t now_unix_seconds) {
  if (now_unix_seconds >= params.expires_at) {
    return Status::FailedPrecondition("client DB has expired");
  }
  return Status::Ok();
}

Result<std::unique_ptr<ClientDb>> ClientDb::Load(const std::filesystem::path& path,
                                                 const PublisherPublicKey& publisher) {
  return Load(path, publisher, nullptr);
}

Result<std::unique_ptr<ClientDb>> ClientDb::Load(
    const std::filesystem::path& path, const PublisherPublicKey& publisher,
    const std::function<bool(const Digest&)>& points_checked_before) {
  auto db = LoadClientDb(path, &publisher, points_checked_before);
  if (!db.ok()) return db.status().WithContext("loading client DB");
  return db;
}

Result<std::unique_ptr<ClientDb>> ClientDb::LoadIgnoringSignature(
    const std::filesystem::path& path) {
  auto db = LoadClientDb(path, nullptr, nullptr);
  if (!db.ok()) return db.status().WithContext("loading client DB");
  return db;
}

}  // namespace hashveil::hashdb
