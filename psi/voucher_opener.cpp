#include "hashveil/psi/voucher_opener.h"

#include <algorithm>

#include "hashveil/psi/crypto.h"
#include "voucher_layout.h"

namespace hashveil::psi {
namespace {

// Reads a share scalar from the middle layer: canonical, and x never zero.
Result<Scalar> ReadShareScalar(std::span<const std::uint8_t> bytes, bool nonzero) {
  std::array<std::uint8_t, kScalarBytes> raw{};
  std::copy_n(bytes.begin(), kScalarBytes, raw.begin());
  auto scalar = Scalar::FromCanonicalBytes(raw);
  SecureWipe(raw.data(), raw.size());
  if (!scalar.ok() || (nonzero && scalar->IsZero())) {
    return Status::Corrupt("voucher share is not a valid scalar");
  }
  return std::move(scalar).value();
}

Result<Candidate> ParseMiddle(std::span<const std::uint8_t> middle, const VoucherShape& shape) {
  const std::size_t tag_bytes = EncodedTagSize(shape.synthetic_max);
  auto tag = DecodeTag(middle.first(tag_bytes), shape.synthetic_max);
  if (!tag.ok()) return Status::Corrupt("voucher tag is malformed");
  const auto adct = middle.subspan(tag_bytes, kInnerCiphertextBytes);
  const auto share = middle.subspan(tag_bytes + kInnerCiphertextBytes);
  HV_ASSIGN_OR_RETURN(Scalar x, ReadShareScalar(share.first(kScalarBytes), /*nonzero=*/true));
  HV_ASSIGN_OR_RETURN(Scalar y, ReadShareScalar(share.subspan(kScalarBytes), /*nonzero=*/false));
  return Candidate{.share = {std::move(x), std::move(y)},
                   .tag = std::move(tag).value(),
                   .adct = {adct.begin(), adct.end()}};
}

}  // namespace

Result<std::unique_ptr<VoucherOpener>> VoucherOpener::Create(const VoucherShape& shape,
                                                             const Scalar& alpha) {
  if (alpha.IsZero()) return Status::InvalidInput("server secret is zero");
  if (shape.entry_count == 0 || shape.entry_count > kMaxVoucherEntries ||
      shape.synthetic_max > kMaxSyntheticTags) {
    return Status::InvalidInput("voucher shape is out of range");
  }
  return std::unique_ptr<VoucherOpener>(new VoucherOpener(shape, alpha.Clone()));
}

Result<OpenedVoucher> VoucherOpener::Open(std::span<const std::uint8_t> voucher) const {
  HV_ASSIGN_OR_RETURN(const VoucherHeader header, ParseVoucherHeader(voucher, shape_));
  const auto header_bytes = voucher.first(kVoucherHeaderBytes);
  const auto entries = voucher.subspan(kVoucherHeaderBytes,
                                       std::size_t{shape_.entry_count} * kOuterEntryBytes);
  const auto rct = voucher.subspan(kVoucherHeaderBytes + entries.size());

  // Every entry is tried, so the work does not depend on which entry opens.
  std::optional<AeadKey> rkey;
  std::uint32_t opened_entries = 0;
  for (std::size_t i = 0; i < shape_.entry_count; ++i) {
    const auto entry = entries.subspan(i * kOuterEntryBytes, kOuterEntryBytes);
    Point q;
    std::copy_n(entry.begin(), kPointBytes, q.bytes.begin());
    auto shared = Mul(alpha_, q);
    if (!shared.ok()) return Status::Corrupt("voucher outer entry holds an invalid point");
    auto opened = OpenWithSingleUseKey(DeriveKeyFromPoint(*shared), entry.subspan(kPointBytes),
                                       header_bytes);
    if (!opened.ok()) continue;
    if (opened->size() != kAeadKeyBytes) return Status::Corrupt("voucher outer entry is malformed");
    ++opened_entries;
    if (rkey && !ConstantTimeEqual(rkey->span(), opened->span())) {
      return Status::Corrupt("two voucher outer entries open to different keys");
    }
    if (!rkey) {
      rkey.emplace();
      std::copy_n(opened->data(), kAeadKeyBytes, rkey->data());
    }
  }
  OpenedVoucher result{.header = header, .candidate = std::nullopt,
                       .opened_entries = opened_entries};
  if (!rkey) return result;

  auto middle = psi::Open(*rkey, rct, header_bytes);
  if (!middle.ok()) return Status::Corrupt("voucher middle layer does not open");
  if (middle->size() != shape_.middle_plaintext_bytes()) {
    return Status::Corrupt("voucher middle layer has the wrong length");
  }
  HV_ASSIGN_OR_RETURN(Candidate candidate, ParseMiddle(middle->span(), shape_));
  result.candidate = std::move(candidate);
  return result;
}

}  // namespace hashveil::psi
