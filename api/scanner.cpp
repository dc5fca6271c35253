#include "hashveil/scanner.h"

#include <chrono>
#include <utility>

#include "db_check_marker.h"
#include "hashveil/common/exception_boundary.h"
#include "hashveil/common/random.h"
#include "hashveil/matcher/visual_derivative.h"
#include "hashveil/psi/voucher_builder.h"

namespace hashveil {

// Declared in the order they depend on each other, so they are destroyed in reverse: the
// builder refers to the DB and the account, and the account draws its nonces from `random`.
struct Scanner::Parts {
  std::unique_ptr<RandomSource> random;  // the system's: thread-safe
  matcher::DecodeOptions decode;
  std::unique_ptr<hashdb::ClientDb> db;
  std::unique_ptr<psi::AccountState> account;
  std::unique_ptr<psi::VoucherBuilder> builder;
};

namespace {

Status CheckMetadata(std::span<const std::uint8_t> metadata) {
  if (metadata.size() > psi::kMaxVoucherMetadataBytes) {
    return Status::InvalidInput("voucher metadata is longer than " +
                                std::to_string(psi::kMaxVoucherMetadataBytes) + " bytes");
  }
  return Status::Ok();
}

std::uint64_t UnixSeconds(std::chrono::system_clock::time_point time) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
  return seconds < 0 ? 0 : static_cast<std::uint64_t>(seconds);
}

psi::VoucherInput InputFrom(const matcher::PdqResult& hashed, matcher::VisualDerivative derivative,
                            std::span<const std::uint8_t> metadata) {
  psi::VoucherInput input;
  input.payload.hash = hashed.hash;
  input.payload.quality = hashed.quality;
  input.payload.derivative = std::move(derivative);
  input.payload.metadata.assign(metadata.begin(), metadata.end());
  input.margins = hashed.margins;
  input.variants = hashed.variants;
  return input;
}

}  // namespace

Scanner::Scanner(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Scanner::~Scanner() = default;

Result<std::unique_ptr<Scanner>> Scanner::Create(const ScannerOptions& options) {
  return StatusFromExceptions("creating the scanner", [&]() -> Result<std::unique_ptr<Scanner>> {
    auto parts = std::make_unique<Parts>();
    parts->random = MakeSystemRandom();
    parts->decode = options.decode;
    parts->decode.dihedral = false;
    parts->decode.variants = true;  // revision 2 probes from them; ~0.25 ms a scan
    // The per-point checks run once per DB file this account's device has seen (the marker).
    const DbCheckMarker marker(options.account_state_path, options.account_key);
    bool points_checked_before = false;
    HV_ASSIGN_OR_RETURN(parts->db, hashdb::ClientDb::Load(options.db_path, options.publisher,
                                                          [&](const hashdb::Digest& digest) {
                                                            points_checked_before =
                                                                marker.Covers(digest);
                                                            return points_checked_before;
                                                          }));
    const hashdb::ClientDbParams& params = parts->db->params();
    HV_RETURN_IF_ERROR(hashdb::CheckClientDbFresh(params, UnixSeconds(options.clock())));
    const psi::AccountParameters account_params{.threshold = params.threshold,
                                                .synthetic_max = params.synthetic_max,
                                                .synthetic_rate_ppm = params.synthetic_rate_ppm};
    HV_RETURN_IF_ERROR(psi::CheckPrivacyFloor(account_params, options.privacy_floor));
    auto account = psi::AccountState::OpenOrCreate(options.account_state_path,
                                                   options.account_key, account_params,
                                                   *parts->random);
    if (!account.ok()) return account.status().WithContext("account state");
    parts->account = std::move(account).value();
    HV_RETURN_IF_ERROR(parts->account->AcceptDbEpoch(params.epoch));
    HV_ASSIGN_OR_RETURN(parts->builder, psi::VoucherBuilder::Create(*parts->db, *parts->account,
                                                                    options.account_name));
    // Only now, with the account key proven by the state it opened: a marker that cannot be
    // written costs the next start its checks, nothing else.
    if (!points_checked_before) (void)marker.Record(parts->db->digest());
    return std::unique_ptr<Scanner>(new Scanner(std::move(parts)));
  });
}

Result<std::vector<std::uint8_t>> Scanner::Scan(std::span<const std::uint8_t> image_bytes,
                                                std::span<const std::uint8_t> metadata) const {
  return StatusFromExceptions("scanning", [&]() -> Result<std::vector<std::uint8_t>> {
    HV_RETURN_IF_ERROR(CheckMetadata(metadata));
    HV_ASSIGN_OR_RETURN(matcher::HashedImage hashed,
                        matcher::HashAndDeriveEncodedImage(image_bytes, parts_->decode));
    return parts_->builder->Build(InputFrom(hashed.pdq, std::move(hashed.derivative), metadata),
                                  *parts_->random);
  });
}

Result<std::vector<std::uint8_t>> Scanner::ScanPixels(const matcher::ImageView& image,
                                                      std::span<const std::uint8_t> metadata) const {
  return StatusFromExceptions("scanning", [&]() -> Result<std::vector<std::uint8_t>> {
    HV_RETURN_IF_ERROR(CheckMetadata(metadata));
    HV_ASSIGN_OR_RETURN(matcher::PdqResult hashed, matcher::HashPixels(image, {.variants = true}));
    HV_ASSIGN_OR_RETURN(matcher::VisualDerivative derivative,
                        matcher::MakeVisualDerivative(image));
    return parts_->builder->Build(InputFrom(hashed, std::move(derivative), metadata),
                                  *parts_->random);
  });
}

std::size_t Scanner::voucher_size() const { return parts_->builder->shape().total_bytes(); }

const hashdb::ClientDbParams& Scanner::db_params() const { return parts_->db->params(); }

bool Scanner::account_created() const { return parts_->account->created(); }

bool Scanner::account_rotated() const { return parts_->account->rotated(); }

}  // namespace hashveil
