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

Result<OpenedVoucher> VoucherOpener::Open(std::span<const std::uint8_t> voucher,
                                          std::string_view account) const {
  // The public checks, all of them before any entry is opened.
  HV_ASSIGN_OR_RETURN(const VoucherHeader header, ParseVoucherHeader(voucher, shape_));
  const auto entries = voucher.subspan(kVoucherHeaderBytes,
                                       std::size_t{shape_.entry_count} * kOuterEntryBytes);
  const auto rct = voucher.subspan(kVoucherHeaderBytes + entries.size());
  std::vector<Point> qs(shape_.entry_count);
  for (std::size_t i = 0; i < qs.size(); ++i) {
    std::copy_n(entries.begin() + i * kOuterEntryBytes, kPointBytes, qs[i].bytes.begin());
    if (!IsValidPoint(qs[i])) return Status::Corrupt("voucher outer entry holds an invalid point");
  }
  const std::vector<std::uint8_t> ad = VoucherAssociatedData(
      voucher.first<kVoucherHeaderBytes>(), account, shape_.db_digest);

  // Every entry is tried, so the work does not depend on which entry opens or whether two
  // disagree.
  OpenedVoucher result{.header = header};
  std::optional<AeadKey> rkey;
  bool disagree = false;
  for (std::size_t i = 0; i < qs.size(); ++i) {
    auto shared = Mul(alpha_, qs[i]);
    if (!shared.ok()) return Status::Internal("alpha times a valid point is the identity");
    auto opened = OpenWithSingleUseKey(DeriveKeyFromPoint(*shared),
                                       entries.subspan(i * kOuterEntryBytes + kPointBytes,
                                                       kOuterCiphertextBytes),
                                       ad);
    if (!opened.ok()) continue;
    ++result.opened_entries;
    if (opened->size() != kAeadKeyBytes) {
      disagree = true;
    } else if (!rkey) {
      rkey.emplace();
      std::copy_n(opened->data(), kAeadKeyBytes, rkey->data());
    } else if (!ConstantTimeEqual(rkey->span(), opened->span())) {
      disagree = true;
    }
  }
  if (result.opened_entries == 0) return result;
  if (disagree || !rkey) {
    result.inconsistency = "outer entries open to different keys";
    return result;
  }
  auto middle = psi::Open(*rkey, rct, ad);
  if (!middle.ok() || middle->size() != shape_.middle_plaintext_bytes()) {
    result.inconsistency = "middle layer does not open";
    return result;
  }
  auto candidate = ParseMiddle(middle->span(), shape_);
  if (!candidate.ok()) {
    result.inconsistency = "middle layer is malformed";
    return result;
  }
  result.candidate = std::move(candidate).value();
  return result;
}

}  // namespace hashveil::psi
