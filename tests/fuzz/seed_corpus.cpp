#include "fuzz/seed_corpus.h"

#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "account_state_codec.h"
#include "fuzz/fuzz_fixture.h"
#include "fuzz/http_voucher_input.h"
#include "hashveil/common/random.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/common/seeded_random.h"
#include "hashveil/hashdb/db_proof.h"
#include "hashveil/psi/account_state.h"
#include "hashveil/psi/voucher.h"
#include "hashveil/psi/voucher_builder.h"
#include "png_encoder.h"
#include "support/png_writer.h"
#include "support/voucher_inputs.h"
#include "support/webp_writer.h"

namespace hashveil::fuzz {
namespace {

Status WriteSeed(const std::filesystem::path& dir, std::string_view name,
                 std::span<const std::uint8_t> bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) return Status::IoError("cannot write a seed file");
  return Status::Ok();
}

Status WriteText(const std::filesystem::path& dir, std::string_view name, std::string_view text) {
  return WriteSeed(dir, name,
                   std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Status CopySeed(const std::filesystem::path& from, const std::filesystem::path& dir,
                std::string_view name) {
  HV_ASSIGN_OR_RETURN(const std::vector<std::uint8_t> bytes, ReadFileBytes(from, 1u << 20));
  return WriteSeed(dir, name, bytes);
}

// A real photo kept in the repository (the PDQ conformance set's original bridge photo), so the
// seeds are the same on every machine whatever is installed.
Result<cv::Mat> SourcePhoto() {
  const auto path = std::filesystem::path(HASHVEIL_SOURCE_DIR) / "tests" / "vectors" / "pdq" /
                    "bridge-mods" / "aaa-orig.jpg";
  cv::Mat photo = cv::imread(path.string(), cv::IMREAD_COLOR);
  if (photo.empty()) return Status::NotFound("tests/vectors/pdq/bridge-mods/aaa-orig.jpg is missing");
  return photo;
}

Status Encode(const std::filesystem::path& dir, std::string_view name, const cv::Mat& image,
              const std::vector<int>& params = {}) {
  std::vector<std::uint8_t> bytes;
  const std::string ext = std::filesystem::path(name).extension().string();
  try {
    if (!cv::imencode(ext, image, bytes, params)) return Status::Internal("cannot encode a seed image");
  } catch (const cv::Exception&) {
    return Status::Internal("cannot encode a seed image");
  }
  return WriteSeed(dir, name, bytes);
}

Status WriteImageSeeds(const std::filesystem::path& dir) {
  HV_ASSIGN_OR_RETURN(const cv::Mat photo, SourcePhoto());
  cv::Mat small, grey, alpha, deep, medium, large;
  cv::resize(photo, small, cv::Size(96, 64), 0, 0, cv::INTER_AREA);
  cv::cvtColor(small, grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(small, alpha, cv::COLOR_BGR2BGRA);
  small.convertTo(deep, CV_16UC3, 257.0);
  // Large enough for the fast path's DCT scaling and its progressive early-scan decode (1024
  // and 2048 px: both at 1/2).
  cv::resize(small, medium, cv::Size(1024, 1024), 0, 0, cv::INTER_LINEAR);
  cv::resize(small, large, cv::Size(2048, 2048), 0, 0, cv::INTER_LINEAR);
  HV_RETURN_IF_ERROR(Encode(dir, "baseline.jpg", small, {cv::IMWRITE_JPEG_QUALITY, 80}));
  HV_RETURN_IF_ERROR(Encode(dir, "progressive.jpg", small, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
  HV_RETURN_IF_ERROR(Encode(dir, "grey.jpg", grey));
  HV_RETURN_IF_ERROR(Encode(dir, "large-progressive.jpg", large,
                            {cv::IMWRITE_JPEG_PROGRESSIVE, 1, cv::IMWRITE_JPEG_QUALITY, 20}));
  HV_RETURN_IF_ERROR(Encode(dir, "medium-baseline.jpg", medium, {cv::IMWRITE_JPEG_QUALITY, 20}));
  HV_RETURN_IF_ERROR(Encode(dir, "rgb.png", small));
  HV_RETURN_IF_ERROR(Encode(dir, "alpha.png", alpha));
  HV_RETURN_IF_ERROR(Encode(dir, "16bit.png", deep));
  HV_RETURN_IF_ERROR(Encode(dir, "lossy.webp", small, {cv::IMWRITE_WEBP_QUALITY, 60}));
  HV_RETURN_IF_ERROR(Encode(dir, "lossless.webp", alpha, {cv::IMWRITE_WEBP_QUALITY, 101}));
  HV_RETURN_IF_ERROR(Encode(dir, "rgb.bmp", small));
  HV_RETURN_IF_ERROR(Encode(dir, "grey.tiff", grey));
  return Encode(dir, "rgb.tiff", small);
}

// Progressive JPEGs in the layouts the early-scan reader takes (YCbCr, grey, restart intervals)
// and one it hands back to libjpeg (a baseline file).
Status WriteEarlyScanSeeds(const std::filesystem::path& dir) {
  HV_ASSIGN_OR_RETURN(const cv::Mat photo, SourcePhoto());
  cv::Mat small, grey;
  cv::resize(photo, small, cv::Size(256, 192), 0, 0, cv::INTER_AREA);
  cv::cvtColor(small, grey, cv::COLOR_BGR2GRAY);
  HV_RETURN_IF_ERROR(Encode(dir, "progressive.jpg", small, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
  HV_RETURN_IF_ERROR(Encode(dir, "grey.jpg", grey, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
  HV_RETURN_IF_ERROR(Encode(dir, "restarts.jpg", small,
                            {cv::IMWRITE_JPEG_PROGRESSIVE, 1, cv::IMWRITE_JPEG_RST_INTERVAL, 3}));
  return Encode(dir, "baseline.jpg", small);
}

// Every PNG layout libpng writes (colour types, bit depths, palettes, tRNS, Adam7, text
// chunks), and the device's own encoder's output.
Status WritePngSeeds(const std::filesystem::path& dir) {
  for (const testing::PngLayout& layout : testing::AllPngLayouts()) {
    HV_RETURN_IF_ERROR(
        WriteSeed(dir, layout.Name() + ".png", testing::WriteTestPng(layout, 13, 7)));
  }
  std::vector<std::uint8_t> grey(32 * 16);
  for (std::size_t i = 0; i < grey.size(); ++i) grey[i] = static_cast<std::uint8_t>(i);
  HV_ASSIGN_OR_RETURN(const std::vector<std::uint8_t> png,
                      matcher::EncodeGreyPng(grey.data(), 32, 16));
  return WriteSeed(dir, "encoded-grey.png", png);
}

// Lossy stills (VP8; VP8X with an ALPH plane), lossless ones (VP8L) and an animation.
Status WriteWebpSeeds(const std::filesystem::path& dir) {
  HV_ASSIGN_OR_RETURN(const cv::Mat photo, SourcePhoto());
  cv::Mat small, alpha;
  cv::resize(photo, small, cv::Size(48, 32), 0, 0, cv::INTER_AREA);
  cv::cvtColor(small, alpha, cv::COLOR_BGR2BGRA);
  // Opaque alpha would be dropped by the encoder.
  for (int y = 0; y < alpha.rows; ++y) {
    for (int x = 0; x < alpha.cols; ++x) {
      alpha.at<cv::Vec4b>(y, x)[3] = static_cast<std::uint8_t>(x * 5);
    }
  }
  HV_RETURN_IF_ERROR(Encode(dir, "lossy.webp", small, {cv::IMWRITE_WEBP_QUALITY, 50}));
  HV_RETURN_IF_ERROR(Encode(dir, "lossy-alpha.webp", alpha, {cv::IMWRITE_WEBP_QUALITY, 50}));
  HV_RETURN_IF_ERROR(Encode(dir, "lossless-alpha.webp", alpha, {cv::IMWRITE_WEBP_QUALITY, 101}));
  std::vector<std::uint8_t> lossless;
  if (!cv::imencode(".webp", small, lossless, {cv::IMWRITE_WEBP_QUALITY, 101})) {
    return Status::Internal("cannot encode a seed image");
  }
  HV_RETURN_IF_ERROR(WriteSeed(dir, "lossless.webp", lossless));
  return WriteSeed(dir, "animated.webp", testing::AnimatedWebp(lossless, small.cols, small.rows));
}

constexpr std::string_view kSeedHashA = "f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95";
constexpr std::string_view kSeedHashB = "b062eb9d2ab170c0567fcb672d9a5548c5612982dd5e374a7424ebbc8b135cb5";

// One sample per export layout of the tools around PDQ (docs/hashdb.md, "Import formats").
Status WriteExportListSeeds(const std::filesystem::path& dir) {
  const std::string a(kSeedHashA), b(kSeedHashB);
  const std::string te_time = ",2020-07-31T18:47:52+0000,";
  std::string eight = a;
  for (int i = 1; i < 8; ++i) eight += "," + (i % 2 ? b : a);
  HV_RETURN_IF_ERROR(WriteText(dir, "dihedral.csv", eight + ",87,photo.jpg\n"));
  HV_RETURN_IF_ERROR(WriteText(dir, "hma1.te",
                               a + ",2880742865368386,3085240538237227" + te_time + "disputed\n" +
                                   b + ",3104082029674934,3121484721305243" + te_time + "\n"));
  HV_RETURN_IF_ERROR(
      WriteText(dir, "pytx_cache.te", a + ",2880742865368386" + te_time + "media_type_photo\n"));
  HV_RETURN_IF_ERROR(WriteText(dir, "te_signals.txt",
                               "pdq " + a + "\npdq " + b + " 'Sample Signals' INVESTIGATION_SEED\n"));
  HV_RETURN_IF_ERROR(WriteText(dir, "te_dataset.csv",
                               "signal_type,signal_str,collab,category,tags\r\npdq," + a +
                                   ",Sample Signals,INVESTIGATION_SEED,\r\n"
                                   "url,https://example.com/,Sample Signals,INVESTIGATION_SEED,\r\n"));
  HV_RETURN_IF_ERROR(WriteText(dir, "te_ui.csv",
                               "td_description,td_status,td_raw_indicator,td_owner_id\n"
                               "\"bulk, upload\",NON_MALICIOUS," + a + ",2061458520576715\n"));
  HV_RETURN_IF_ERROR(WriteText(
      dir, "hashveil.jsonl", "{\"hash\":\"" + a + "\",\"path\":\"a.jpg\",\"quality\":87}\n"));
  return WriteText(dir, "hma2.jsonl", "{\"id\":1,\"signals\":{\"pdq\":\"" + b + "\"}}\n");
}

Status WriteHashListSeeds(const std::filesystem::path& dir) {
  const std::string a(kSeedHashA), b(kSeedHashB);
  HV_RETURN_IF_ERROR(WriteExportListSeeds(dir));
  HV_RETURN_IF_ERROR(WriteText(dir, "hex.txt", "# list\n" + a + "\n\n" + b + "\r\n"));
  HV_RETURN_IF_ERROR(WriteText(dir, "reference.csv", a + ",100,photo.jpg\n" + b + ",49,x.png\n"));
  HV_RETURN_IF_ERROR(
      WriteText(dir, "keyed.txt", "hash=" + a + ",quality=90,filename=a.jpg\nhash=" + b + "\n"));
  HV_RETURN_IF_ERROR(WriteText(dir, "header.csv", "id,pdq,quality\n1," + a + ",77\n2," + b + ",\n"));
  return WriteText(dir, "header.tsv", "\xEF\xBB\xBFhash\tquality\n" + a + "\t100\n" + b + "\t3\n");
}

Status WriteAccountSeeds(const std::filesystem::path& state_dir,
                         const std::filesystem::path& codec_dir) {
  namespace codec = psi::account_state_codec;
  const psi::AccountParameters params = FixtureAccountParameters();
  const psi::AccountStateKey key = FixtureAccountKey();
  auto random = MakeSeededRandomForTesting(7);

  const std::filesystem::path state_path =
      std::filesystem::temp_directory_path() / ("hv-fuzz-seed-state-" + std::to_string(::getpid()));
  std::filesystem::remove(state_path);
  {
    HV_ASSIGN_OR_RETURN(auto state, psi::AccountState::OpenOrCreate(state_path, key, params, *random));
    // One recorded synthetic image, so the seed holds the record list too.
    for (std::uint8_t i = 0; state->synthetic_count() == 0 && i < 64; ++i) {
      matcher::MatchKey base{};
      base[0] = i;
      HV_ASSIGN_OR_RETURN(const psi::ImageRole synthetic, state->DecideRole(state->ChoicesFor(base)));
      (void)synthetic;
    }
  }
  const Status copied = CopySeed(state_path, state_dir, "state.sqlite");
  std::filesystem::remove(state_path);
  HV_RETURN_IF_ERROR(copied);

  codec::Contents contents = codec::Generate(params, *random);
  contents.synthetic_images.resize(1);
  HV_RETURN_IF_ERROR(WriteSeed(codec_dir, "plaintext", codec::Serialize(contents).span()));
  return WriteSeed(codec_dir, "export", codec::ExportWithKey(contents, key, *random));
}

// Requests to the write endpoint carrying `voucher`: as a client sends it, and with the refusals
// the endpoint checks first (token, path).
Status WriteHttpVoucherSeeds(const std::filesystem::path& dir, std::span<const std::uint8_t> voucher) {
  const std::string bearer = "Bearer " + std::string(kHttpFuzzToken);
  const std::string route = "/v1/accounts/alice/vouchers";
  HV_RETURN_IF_ERROR(WriteSeed(dir, "accepted", JoinHttpVoucherInput(route, bearer, voucher)));
  HV_RETURN_IF_ERROR(
      WriteSeed(dir, "wrong-token", JoinHttpVoucherInput(route, "Bearer wrong-token-0123456789", voucher)));
  HV_RETURN_IF_ERROR(WriteSeed(
      dir, "bad-account", JoinHttpVoucherInput("/v1/accounts/../vouchers", bearer, voucher)));
  return WriteSeed(dir, "truncated",
                   JoinHttpVoucherInput(route, bearer, voucher.first(voucher.size() / 2)));
}

// Vouchers of the fixture DB (one for an image it holds, one for another) and a payload, and the
// write endpoint's requests carrying them.
Status WriteVoucherSeeds(const std::filesystem::path& dir, const std::filesystem::path& http_dir) {
  const FixtureDb& fixture = TheFixtureDb();
  auto random = MakeSeededRandomForTesting(11);
  const std::filesystem::path state_path =
      std::filesystem::temp_directory_path() / ("hv-fuzz-seed-vouchers-" + std::to_string(::getpid()));
  std::filesystem::remove(state_path);
  HV_ASSIGN_OR_RETURN(auto account, psi::AccountState::OpenOrCreate(state_path, FixtureAccountKey(),
                                                                    FixtureAccountParameters(), *random));
  auto builder = psi::VoucherBuilder::Create(*fixture.loaded, *account, "alice");
  std::filesystem::remove(state_path);
  if (!builder.ok()) return builder.status();

  psi::VoucherInput member;
  member.payload.hash = fixture.entries.front().hash;
  member.payload.quality = 100;
  member.payload.metadata = {'s', 'e', 'e', 'd'};
  psi::VoucherInput stranger;
  stranger.payload.hash.words.fill(0x5a5a);
  stranger.payload.quality = 90;
  hashveil::testing::SetVariantsToOwnHash(member);
  hashveil::testing::SetVariantsToOwnHash(stranger);
  HV_ASSIGN_OR_RETURN(const auto member_voucher, (*builder)->Build(member, *random));
  HV_ASSIGN_OR_RETURN(const auto stranger_voucher, (*builder)->Build(stranger, *random));
  HV_ASSIGN_OR_RETURN(const SecretBytes payload, psi::EncodeVoucherPayload(member.payload));
  HV_RETURN_IF_ERROR(WriteSeed(dir, "member", member_voucher));
  HV_RETURN_IF_ERROR(WriteSeed(dir, "stranger", stranger_voucher));
  HV_RETURN_IF_ERROR(WriteHttpVoucherSeeds(http_dir, member_voucher));
  return WriteSeed(dir, "payload", payload.span());
}

// The fixture's proof and variants that load and reach each check of VerifyDbProof: a value that
// is no point, keys out of order, and a one-key proof (a short DLEQ to mutate).
Status WriteDbProofSeeds(const std::filesystem::path& dir) {
  const FixtureDb& fixture = TheFixtureDb();
  HV_RETURN_IF_ERROR(CopySeed(fixture.proof, dir, "client.hvdb.proof"));
  HV_ASSIGN_OR_RETURN(const hashdb::DbProof proof, hashdb::LoadDbProof(fixture.proof));
  hashdb::DbProof variant = proof;
  variant.values.front().bytes.fill(0xff);
  HV_RETURN_IF_ERROR(hashdb::SaveDbProof(variant, dir / "bad_value"));
  variant = proof;
  std::swap(variant.keys[0], variant.keys[1]);
  HV_RETURN_IF_ERROR(hashdb::SaveDbProof(variant, dir / "unordered"));
  variant = proof;
  variant.keys.resize(1);
  variant.values.resize(1);
  return hashdb::SaveDbProof(variant, dir / "one_key");
}

}  // namespace

Status WriteSeedCorpus(const std::filesystem::path& root) {
  HV_RETURN_IF_ERROR(WriteImageSeeds(root / "image_hash"));
  HV_RETURN_IF_ERROR(WriteEarlyScanSeeds(root / "jpeg_early_scans"));
  HV_RETURN_IF_ERROR(WritePngSeeds(root / "png_decode"));
  HV_RETURN_IF_ERROR(WriteWebpSeeds(root / "webp_decode"));
  HV_RETURN_IF_ERROR(WriteHashListSeeds(root / "hash_list"));
  const FixtureDb& fixture = TheFixtureDb();
  HV_RETURN_IF_ERROR(CopySeed(fixture.db, root / "client_db", "client.hvdb"));
  HV_RETURN_IF_ERROR(WriteDbProofSeeds(root / "db_proof"));
  HV_RETURN_IF_ERROR(CopySeed(fixture.server_secret, root / "key_files", "server.key"));
  HV_RETURN_IF_ERROR(CopySeed(fixture.publisher_secret, root / "key_files", "publisher.key"));
  HV_RETURN_IF_ERROR(CopySeed(fixture.publisher_public, root / "key_files", "publisher.key.pub"));
  HV_RETURN_IF_ERROR(WriteVoucherSeeds(root / "voucher", root / "http_voucher"));
  return WriteAccountSeeds(root / "account_state", root / "account_state_codec");
}

}  // namespace hashveil::fuzz
