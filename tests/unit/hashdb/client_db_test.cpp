#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/client_db.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "client_db_format.h"
#include "client_db_writer.h"
#include "le_codec.h"
#include "publish_fixture.h"

namespace hashveil::hashdb {
namespace {

class ClientDbTest : public testing::PublishTest {
 protected:
  static constexpr std::uint64_t kCells = 9;

  // The fields versions 1 and 2 shared, from the magic to the epoch: a cuckoo table's header
  // (c = 3, kCells slots, one dropped key).
  static void WriteCuckooHeaderStart(LeWriter& w, const ClientDbParams& p, std::uint32_t version) {
    w.Bytes(kClientDbMagic);
    w.U32(version);
    for (std::uint32_t v : {p.key_scheme.tables, p.key_scheme.bits_per_key, p.key_scheme.probes}) {
      w.U32(v);
    }
    w.U64(p.key_scheme.seed);
    w.U32(3);  // cuckoo functions
    for (std::uint64_t v : {kCells, p.entry_count, p.key_count, std::uint64_t{1}}) w.U64(v);
    for (std::uint32_t v :
         {p.threshold, p.synthetic_rate_ppm, p.synthetic_max, p.policy.min_quality,
          p.policy.min_sources, std::uint32_t{1}, p.policy.merge_distance}) {
      w.U32(v);
    }
    w.U64(p.epoch);
  }
  static constexpr std::uint64_t kExpiresAt = 1'900'000'000;

  static psi::FillerSeed FillerSeed() {
    psi::FillerSeed seed;
    seed.fill(2);
    return seed;
  }
  ClientDbParams SmallParams() const {
    ClientDbParams params;
    params.key_scheme = matcher::KeyScheme{};
    params.cell_count = kCells;
    params.okvs_attempt = 2;
    params.entry_count = 6;
    params.key_count = 5;
    params.threshold = 10;
    params.synthetic_rate_ppm = 10'000;
    params.synthetic_max = 64;
    params.epoch = 7;
    params.expires_at = kExpiresAt;
    params.db_nonce.fill(1);
    params.filler_seed_commitment = CommitToFillerSeed(FillerSeed());
    params.public_point = secret_.public_point();
    return params;
  }
  static std::vector<psi::Point> DistinctPoints() {
    std::vector<psi::Point> points;
    for (std::uint8_t i = 0; i < kCells; ++i) points.push_back(psi::HashToGroup("test", {&i, 1}));
    return points;
  }
  std::filesystem::path Write(const std::vector<psi::Point>& points, const ClientDbParams& params) {
    const auto path = dir_ / "client.hvdb";
    auto digest = WriteClientDb(params, points, publisher_, path);
    EXPECT_TRUE(digest.ok()) << digest.status().ToString();
    return path;
  }
  Status LoadStatus(const std::filesystem::path& path) {
    return ClientDb::Load(path, publisher_.public_key).status();
  }
  // Header and points as given, then their digest and the publisher's signature of it: a file
  // the publisher signed, whatever its header says.
  void WriteSigned(const std::filesystem::path& path, std::vector<std::uint8_t> bytes) {
    const Digest digest = ComputeClientDbDigest(bytes);
    const std::vector<std::uint8_t> message = ClientDbSignedMessage(digest);
    std::array<std::uint8_t, kSignatureBytes> signature{};
    crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                         publisher_.secret_key.data());
    bytes.insert(bytes.end(), digest.begin(), digest.end());
    bytes.insert(bytes.end(), signature.begin(), signature.end());
    WriteAll(path, bytes);
  }
  // A version-3 file as version 3 wrote it: version 4's header without the revision (offsets
  // 28..31), which version 3 did not have.
  std::filesystem::path WriteVersionThree(const ClientDbParams& params) {
    std::vector<std::uint8_t> bytes = EncodeClientDbHeader(params);
    bytes[4] = 3;
    bytes.erase(bytes.begin() + kRevisionOffset, bytes.begin() + kRevisionOffset + 4);
    EXPECT_EQ(bytes.size(), 196u);
    for (const psi::Point& point : DistinctPoints()) {
      bytes.insert(bytes.end(), point.bytes.begin(), point.bytes.end());
    }
    const auto path = dir_ / "v3.hvdb";
    WriteSigned(path, std::move(bytes));
    return path;
  }
  static constexpr std::size_t kRevisionOffset = 28;  // after magic, version, L, k, P and seed
  static constexpr std::size_t kHeaderBytes = ClientDbHeaderBytes(kClientDbFormatVersion);
};

TEST_F(ClientDbTest, RoundTripsParamsPointsAndDigest) {
  const auto points = DistinctPoints();
  const auto params = SmallParams();
  const auto path = dir_ / "client.hvdb";
  auto digest = WriteClientDb(params, points, publisher_, path);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(std::filesystem::file_size(path), ClientDbFileBytes(kCells));
  auto db = ClientDb::Load(path, publisher_.public_key);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const ClientDbParams& loaded = (*db)->params();
  EXPECT_EQ(loaded.key_scheme, params.key_scheme);
  EXPECT_EQ(loaded.cell_count, params.cell_count);
  EXPECT_EQ(loaded.okvs_attempt, params.okvs_attempt);
  EXPECT_EQ(loaded.entry_count, params.entry_count);
  EXPECT_EQ(loaded.key_count, params.key_count);
  EXPECT_EQ(loaded.threshold, params.threshold);
  EXPECT_EQ(loaded.synthetic_rate_ppm, params.synthetic_rate_ppm);
  EXPECT_EQ(loaded.synthetic_max, params.synthetic_max);
  EXPECT_EQ(loaded.epoch, params.epoch);
  EXPECT_EQ(loaded.db_nonce, params.db_nonce);
  EXPECT_EQ(loaded.expires_at, kExpiresAt);
  EXPECT_EQ(loaded.filler_seed_commitment, params.filler_seed_commitment);
  EXPECT_EQ(loaded.format_version, 4u);
  EXPECT_EQ(loaded.public_point, params.public_point);
  EXPECT_EQ(loaded.policy, params.policy);
  EXPECT_EQ((*db)->digest(), *digest);
  for (std::uint64_t i = 0; i < kCells; ++i) EXPECT_EQ((*db)->cell(i), points[i]);
}

// A device's decode: the sum of the key's 3 cells under the header's nonce, attempt and size.
TEST_F(ClientDbTest, ProbeValueIsTheSumOfTheKeysThreeCells) {
  const auto points = DistinctPoints();
  const auto params = SmallParams();
  auto db = ClientDb::Load(Write(points, params), publisher_.public_key);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  for (std::uint8_t k = 0; k < 20; ++k) {
    matcher::MatchKey key{};
    key[1] = k;
    const auto cells = psi::OkvsCells(params.db_nonce, params.okvs_attempt, key, kCells);
    const psi::Point sum = *psi::Add(*psi::Add(points[cells[0]], points[cells[1]]),
                                     points[cells[2]]);
    auto value = (*db)->ProbeValue(key);
    ASSERT_TRUE(value.ok()) << value.status().ToString();
    EXPECT_EQ(value->Encode(), sum) << int{k};
  }
}

// The writer pins the key scheme's revision in the signed header; each loads as written.
TEST_F(ClientDbTest, EachKeySchemeRevisionRoundTrips) {
  for (std::uint32_t revision = matcher::KeyScheme::kFirstRevision;
       revision <= matcher::KeyScheme::kLatestRevision; ++revision) {
    auto params = SmallParams();
    params.key_scheme.revision = revision;
    const auto path = Write(DistinctPoints(), params);
    EXPECT_EQ(ReadAll(path).at(kRevisionOffset), revision);
    auto db = ClientDb::Load(path, publisher_.public_key);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ((*db)->params().key_scheme.revision, revision);
    EXPECT_EQ((*db)->params().key_scheme, params.key_scheme);
    std::filesystem::remove(path);
  }
}

// DBs published before revisions existed keep working: their keys follow revision 1's rules.
TEST_F(ClientDbTest, AVersionThreeFileLoadsAsRevisionOne) {
  auto params = SmallParams();
  params.key_scheme.revision = matcher::KeyScheme::kLatestRevision;  // not stored by version 3
  const auto path = WriteVersionThree(params);
  EXPECT_EQ(std::filesystem::file_size(path), ClientDbFileBytes(kCells, 3));
  EXPECT_EQ(ClientDbFileBytes(kCells, 3) + 4, ClientDbFileBytes(kCells));
  auto db = ClientDb::Load(path, publisher_.public_key);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const ClientDbParams& loaded = (*db)->params();
  EXPECT_EQ(loaded.format_version, 3u);
  EXPECT_EQ(loaded.key_scheme.revision, matcher::KeyScheme::kFirstRevision);
  auto expected = params.key_scheme;
  expected.revision = matcher::KeyScheme::kFirstRevision;
  EXPECT_EQ(loaded.key_scheme, expected);
  EXPECT_EQ(loaded.cell_count, params.cell_count);
  EXPECT_EQ(loaded.epoch, params.epoch);
  EXPECT_EQ(loaded.public_point, params.public_point);
  const auto points = DistinctPoints();
  for (std::uint64_t i = 0; i < kCells; ++i) EXPECT_EQ((*db)->cell(i), points[i]);
  // Its header is signed as version 4's is.
  auto bytes = ReadAll(path);
  bytes[20] ^= 1;  // the seed
  WriteAll(path, bytes);
  EXPECT_EQ(LoadStatus(path).code(), StatusCode::kCorrupt);
}

// Changing the revision changes how every device probes: it is under the digest and the
// signature, so a file whose revision was changed (to another valid one) is refused.
TEST_F(ClientDbTest, AChangedRevisionFailsVerification) {
  auto params = SmallParams();
  params.key_scheme.revision = 2;
  const auto path = Write(DistinctPoints(), params);
  auto bytes = ReadAll(path);
  bytes[kRevisionOffset] = 1;
  WriteAll(path, bytes);
  Status status = LoadStatus(path);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("digest mismatch"), std::string::npos) << status.message();
  // With the digest recomputed, the publisher's signature no longer verifies.
  const Digest digest =
      ComputeClientDbDigest(std::span(bytes).first(bytes.size() - kClientDbTrailerBytes));
  std::copy(digest.begin(), digest.end(),
            bytes.end() - static_cast<std::ptrdiff_t>(kClientDbTrailerBytes));
  WriteAll(path, bytes);
  status = LoadStatus(path);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("signature does not verify"), std::string::npos)
      << status.message();
  auto unsigned_load = ClientDb::LoadIgnoringSignature(path);
  ASSERT_TRUE(unsigned_load.ok()) << unsigned_load.status().ToString();
  EXPECT_EQ((*unsigned_load)->params().key_scheme.revision, 1u);
}

// A revision this build does not know is refused, by the writer and, even when signed, by Load.
TEST_F(ClientDbTest, ARevisionOutOfRangeIsRefused) {
  for (std::uint32_t revision : {0u, matcher::KeyScheme::kLatestRevision + 1, 0x01000002u}) {
    auto params = SmallParams();
    params.key_scheme.revision = revision;
    EXPECT_EQ(WriteClientDb(params, DistinctPoints(), publisher_, dir_ / "x").status().code(),
              StatusCode::kInvalidInput)
        << revision;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "x"));

    params.key_scheme.revision = 2;
    auto bytes = ReadAll(Write(DistinctPoints(), params));
    bytes.resize(bytes.size() - kClientDbTrailerBytes);
    for (int i = 0; i < 4; ++i)
      bytes[kRevisionOffset + i] = static_cast<std::uint8_t>(revision >> (8 * i));
    const auto path = dir_ / "signed.hvdb";
    WriteSigned(path, std::move(bytes));
    for (const Status& status :
         {LoadStatus(path), ClientDb::LoadIgnoringSignature(path).status()}) {
      EXPECT_EQ(status.code(), StatusCode::kCorrupt) << revision;
      EXPECT_NE(status.message().find("key scheme revision " + std::to_string(revision) +
                                      " is out of range (this build knows revisions 1 to 2)"),
                std::string::npos)
          << status.message();
    }
  }
}

TEST_F(ClientDbTest, TheWriterWritesOnlyTheCurrentFormat) {
  auto params = SmallParams();
  params.format_version = 3;
  const Status status = WriteClientDb(params, DistinctPoints(), publisher_, dir_ / "x").status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidInput);
  EXPECT_NE(status.message().find("writes format version 4 only"), std::string::npos)
      << status.message();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x"));
}

TEST_F(ClientDbTest, EverySingleByteChangeIsRefused) {
  const auto path = Write(DistinctPoints(), SmallParams());
  const auto original = ReadAll(path);
  const auto tampered = dir_ / "tampered.hvdb";
  for (std::size_t offset = 0; offset < original.size(); ++offset) {
    for (std::uint8_t flip : {0x01, 0x80}) {
      auto bytes = original;
      bytes[offset] ^= flip;
      WriteAll(tampered, bytes);
      const Status status = LoadStatus(tampered);
      EXPECT_FALSE(status.ok()) << "byte " << offset << " flipped by " << int{flip} << " accepted";
      const bool version_field = offset >= 4 && offset < 8;
      EXPECT_EQ(status.code(), version_field ? StatusCode::kUnsupported : StatusCode::kCorrupt)
          << "byte " << offset;
    }
  }
}

TEST_F(ClientDbTest, EveryTruncationAndAnExtensionAreRefused) {
  const auto path = Write(DistinctPoints(), SmallParams());
  const auto original = ReadAll(path);
  const auto damaged = dir_ / "damaged.hvdb";
  for (std::size_t length = 0; length < original.size(); ++length) {
    WriteAll(damaged, std::span(original).first(length));
    EXPECT_EQ(LoadStatus(damaged).code(), StatusCode::kCorrupt) << "length " << length;
  }
  auto longer = original;
  longer.push_back(0);
  WriteAll(damaged, longer);
  EXPECT_EQ(LoadStatus(damaged).code(), StatusCode::kCorrupt);
}

TEST_F(ClientDbTest, AnotherFormatVersionIsUnsupported) {
  const auto path = Write(DistinctPoints(), SmallParams());
  auto bytes = ReadAll(path);
  bytes[4] = 5;
  WriteAll(path, bytes);
  const Status status = LoadStatus(path);
  EXPECT_EQ(status.code(), StatusCode::kUnsupported);
  EXPECT_NE(status.message().find("unsupported client DB version 5 (this build reads versions 3 "
                                  "and 4)"),
            std::string::npos)
      << status.message();
}

// A version-1 file as version 1 wrote it: the filler seed itself in the header, no expiry, and
// the signature over the bare digest. Devices must refuse it, never read it as version 3 or 4.
TEST_F(ClientDbTest, VersionOneFileIsRefusedAsUnsupported) {
  const ClientDbParams p = SmallParams();
  LeWriter w;
  WriteCuckooHeaderStart(w, p, 1);
  w.Bytes(p.db_nonce);
  w.Bytes(FillerSeed());
  w.Bytes(p.public_point.bytes);
  ASSERT_EQ(w.bytes().size(), 196u);
  for (const psi::Point& point : DistinctPoints()) w.Bytes(point.bytes);
  const Digest digest = ComputeClientDbDigest(w.bytes());
  std::array<std::uint8_t, kSignatureBytes> signature{};
  crypto_sign_detached(signature.data(), nullptr, digest.data(), digest.size(),
                       publisher_.secret_key.data());
  w.Bytes(digest);
  w.Bytes(signature);
  const auto path = dir_ / "v1.hvdb";
  WriteAll(path, w.bytes());

  for (const Status& status :
       {LoadStatus(path), ClientDb::LoadIgnoringSignature(path).status()}) {
    EXPECT_EQ(status.code(), StatusCode::kUnsupported) << status.ToString();
    EXPECT_NE(status.message().find("unsupported client DB version 1"), std::string::npos)
        << status.message();
  }
}

// A version-2 file as version 2 wrote it: a cuckoo table of slots (c, slot count, dropped keys in
// the header, 204 bytes), signed under "hashveil/client-db/v2". Its points are as valid as a
// version-3 or -4 table's, so only the version tells them apart: it is refused, never misread.
TEST_F(ClientDbTest, VersionTwoFileIsRefusedAsUnsupported) {
  const ClientDbParams p = SmallParams();
  LeWriter w;
  WriteCuckooHeaderStart(w, p, 2);
  w.U64(p.expires_at);
  w.Bytes(p.db_nonce);
  w.Bytes(p.filler_seed_commitment);
  w.Bytes(p.public_point.bytes);
  ASSERT_EQ(w.bytes().size(), 204u);
  for (const psi::Point& point : DistinctPoints()) w.Bytes(point.bytes);
  const Digest digest = ComputeClientDbDigest(w.bytes());
  const std::string_view context = "hashveil/client-db/v2";
  std::vector<std::uint8_t> message(context.begin(), context.end());
  message.insert(message.end(), digest.begin(), digest.end());
  std::array<std::uint8_t, kSignatureBytes> signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                       publisher_.secret_key.data());
  w.Bytes(digest);
  w.Bytes(signature);
  const auto path = dir_ / "v2.hvdb";
  WriteAll(path, w.bytes());

  for (const Status& status :
       {LoadStatus(path), ClientDb::LoadIgnoringSignature(path).status()}) {
    EXPECT_EQ(status.code(), StatusCode::kUnsupported) << status.ToString();
    EXPECT_NE(status.message().find("unsupported client DB version 2"), std::string::npos)
        << status.message();
  }
}

// The signature covers "hashveil/client-db/v3" || digest, so a signature the publisher key made
// over the bare digest (version 1's scheme) or under another context is refused.
TEST_F(ClientDbTest, SignatureWithoutTheClientDbContextIsRefused) {
  const auto path = Write(DistinctPoints(), SmallParams());
  const auto original = ReadAll(path);
  const auto digest_at = original.size() - kClientDbTrailerBytes;
  Digest digest{};
  std::copy_n(original.begin() + static_cast<std::ptrdiff_t>(digest_at), digest.size(),
              digest.begin());
  auto resign = [&](std::span<const std::uint8_t> message) {
    auto bytes = original;
    crypto_sign_detached(bytes.data() + bytes.size() - kSignatureBytes, nullptr, message.data(),
                         message.size(), publisher_.secret_key.data());
    WriteAll(path, bytes);
    return LoadStatus(path);
  };
  std::vector<std::uint8_t> other_context(kClientDbSignatureContext.begin(),
                                          kClientDbSignatureContext.end());
  other_context.back() = '2';
  other_context.insert(other_context.end(), digest.begin(), digest.end());
  for (const Status& status : {resign(digest), resign(other_context)}) {
    EXPECT_EQ(status.code(), StatusCode::kCorrupt);
    EXPECT_NE(status.message().find("signature"), std::string::npos) << status.message();
  }
  EXPECT_TRUE(resign(ClientDbSignedMessage(digest)).ok());
}

TEST_F(ClientDbTest, ExpiryIsSignedButOnlyCheckedByCheckClientDbFresh) {
  auto params = SmallParams();
  params.expires_at = 1'000;
  const auto path = Write(DistinctPoints(), params);
  auto db = ClientDb::Load(path, publisher_.public_key);  // Load takes an expired DB
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE(CheckClientDbFresh((*db)->params(), 0).ok());
  EXPECT_TRUE(CheckClientDbFresh((*db)->params(), 999).ok());
  for (std::uint64_t now : {std::uint64_t{1'000}, std::uint64_t{1'001}, UINT64_MAX}) {
    const Status status = CheckClientDbFresh((*db)->params(), now);
    EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << now;
    EXPECT_EQ(status.message(), "client DB has expired");
  }
}

TEST_F(ClientDbTest, AnotherPublishersKeyIsRefusedButTheDigestStillChecks) {
  const auto path = Write(DistinctPoints(), SmallParams());
  auto other = MakeSeededRandomForTesting(99);
  const auto status = ClientDb::Load(path, GeneratePublisherKeys(*other).public_key).status();
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("signature"), std::string::npos);
  EXPECT_TRUE(ClientDb::LoadIgnoringSignature(path).ok());
  auto bytes = ReadAll(path);
  bytes[kHeaderBytes] ^= 1;
  WriteAll(path, bytes);
  EXPECT_EQ(ClientDb::LoadIgnoringSignature(path).status().code(), StatusCode::kCorrupt);
}

TEST_F(ClientDbTest, SignedTableWithARepeatedPointIsRefused) {
  auto points = DistinctPoints();
  points[5] = points[2];
  const Status status = LoadStatus(Write(points, SmallParams()));
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("same point"), std::string::npos) << status.message();
}

TEST_F(ClientDbTest, SignedTableWithAnIdentityOrInvalidPointIsRefused) {
  auto points = DistinctPoints();
  points[3] = psi::Point{};  // the identity's encoding
  Status status = LoadStatus(Write(points, SmallParams()));
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("cell 3"), std::string::npos) << status.message();
  points = DistinctPoints();
  points[6].bytes.fill(0xff);  // not a canonical encoding
  status = LoadStatus(Write(points, SmallParams()));
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("cell 6"), std::string::npos) << status.message();
}

// A device that checked a file's points before skips them on the next start; the skip is decided
// by the file's digest, so it applies only to a file that is byte for byte the one checked.
TEST_F(ClientDbTest, PointChecksAreSkippedOnlyForADigestCheckedBefore) {
  auto points = DistinctPoints();
  points[5] = points[2];  // refused by the point checks
  const auto path = Write(points, SmallParams());
  Digest asked{};
  auto skipped = ClientDb::Load(path, publisher_.public_key, [&](const Digest& digest) {
    asked = digest;
    return true;
  });
  ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
  EXPECT_EQ(asked, (*skipped)->digest());
  auto checked = ClientDb::Load(path, publisher_.public_key, [](const Digest&) { return false; });
  EXPECT_EQ(checked.status().code(), StatusCode::kCorrupt);
  // The digest and the signature are checked before the question is asked.
  auto bytes = ReadAll(path);
  bytes[kHeaderBytes] ^= 1;
  WriteAll(path, bytes);
  bool called = false;
  auto altered = ClientDb::Load(path, publisher_.public_key, [&](const Digest&) {
    called = true;
    return true;
  });
  EXPECT_EQ(altered.status().code(), StatusCode::kCorrupt);
  EXPECT_FALSE(called);
}

TEST_F(ClientDbTest, WriterRefusesParametersTheLoaderWouldRefuse) {
  auto params = SmallParams();
  params.threshold = 1;
  EXPECT_EQ(WriteClientDb(params, DistinctPoints(), publisher_, dir_ / "x").status().code(),
            StatusCode::kInvalidInput);
  params = SmallParams();
  params.key_count = kCells + 1;
  EXPECT_EQ(WriteClientDb(params, DistinctPoints(), publisher_, dir_ / "x").status().code(),
            StatusCode::kInvalidInput);
  params = SmallParams();
  params.okvs_attempt = 64;
  EXPECT_EQ(WriteClientDb(params, DistinctPoints(), publisher_, dir_ / "x").status().code(),
            StatusCode::kInvalidInput);
  params = SmallParams();
  params.cell_count = kCells - 1;
  const auto fewer = DistinctPoints();
  EXPECT_EQ(WriteClientDb(params, std::span(fewer).first(kCells - 1), publisher_, dir_ / "x")
                .status()
                .code(),
            StatusCode::kInvalidInput);
  params = SmallParams();
  params.filler_seed_commitment.fill(0);
  EXPECT_EQ(WriteClientDb(params, DistinctPoints(), publisher_, dir_ / "x").status().code(),
            StatusCode::kInvalidInput);
  params = SmallParams();
  params.expires_at = 0;
  EXPECT_EQ(WriteClientDb(params, DistinctPoints(), publisher_, dir_ / "x").status().code(),
            StatusCode::kInvalidInput);
  const auto points = DistinctPoints();
  EXPECT_EQ(WriteClientDb(SmallParams(), std::span(points).first(3), publisher_, dir_ / "x")
                .status()
                .code(),
            StatusCode::kInvalidInput);
}

TEST_F(ClientDbTest, MissingAndEmptyFilesAreReported) {
  EXPECT_EQ(LoadStatus(dir_ / "absent.hvdb").code(), StatusCode::kNotFound);
  WriteAll(dir_ / "empty.hvdb", {});
  EXPECT_EQ(LoadStatus(dir_ / "empty.hvdb").code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace hashveil::hashdb
