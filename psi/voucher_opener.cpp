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

// An opened entry's plaintext after its rkey: tag || share x || share y.
Result<Candidate> ParseEntry(std::span<const std::uint8_t> plaintext, const VoucherShape& shape,
                             std::span<const std::uint8_t> adct) {
  const std::size_t tag_bytes = EncodedTagSize(shape.synthetic_max);
  const auto rest = plaintext.subspan(kAeadKeyBytes);
  auto tag = DecodeTag(rest.first(tag_bytes), shape.synthetic_max);
  if (!tag.ok()) return Status::Corrupt("voucher tag is malformed");
  const auto share = rest.subspan(tag_bytes);
  HV_ASSIGN_OR_RETURN(Scalar x, ReadShareScalar(share.first(kScalarBytes), /*nonzero=*/true));
  HV_ASSIGN_OR_RETURN(Scalar y, ReadShareScalar(share.subspan(kScalarBytes), /*nonzero=*/false));
  return Candidate{.share = {std::move(x), std::move(y)},
                   .tag = std::move(tag).value(),
                   .adct = {adct.begin(), adct.end()}};
}

// One candidate per opened entry, or the reason the voucher is inconsistent.
const char* ParseCandidates(std::span<const SecretBytes> plaintexts, const VoucherShape& shape,
                            std::span<const std::uint8_t> adct, std::vector<Candidate>& out) {
  for (const SecretBytes& plaintext : plaintexts) {
    auto candidate = ParseEntry(plaintext.span(), shape, adct);
    if (!candidate.ok()) return "an outer entry is malformed";
    for (const Candidate& earlier : out) {
      if (earlier.share.x.Equals(candidate->share.x)) return "two outer entries hold one share";
    }
    out.push_back(std::move(candidate).value());
  }
  return nullptr;
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
  const std::size_t entry_bytes = shape_.outer_entry_bytes();
  const auto entries =
      voucher.subspan(kVoucherHeaderBytes, std::size_t{shape_.entry_count} * entry_bytes);
  const auto rct = voucher.subspan(kVoucherHeaderBytes + entries.size());
  // Decoding is the validity check; the decoded points are kept for the multiplications.
  std::vector<Element> qs;
  qs.reserve(shape_.entry_count);
  for (std::size_t i = 0; i < shape_.entry_count; ++i) {
    Point q;
    std::copy_n(entries.begin() + i * entry_bytes, kPointBytes, q.bytes.begin());
    auto decoded = Element::Decode(q);
    if (!decoded.ok()) return Status::Corrupt("voucher outer entry holds an invalid point");
    qs.push_back(*decoded);
  }
  const std::vector<std::uint8_t> ad = VoucherAssociatedData(
      voucher.first<kVoucherHeaderBytes>(), account, shape_.db_digest);

  // Every entry is tried, so the work does not depend on which entries open or whether two
  // disagree.
  OpenedVoucher result{.header = header};
  std::vector<SecretBytes> plaintexts;
  bool disagree = false;
  for (std::size_t i = 0; i < qs.size(); ++i) {
    const Element shared = qs[i].Mul(alpha_);
    if (shared.IsIdentity()) return Status::Internal("alpha times a valid point is the identity");
    auto opened = OpenWithSingleUseKey(
        DeriveKeyFromPoint(shared.Encode()),
        entries.subspan(i * entry_bytes + kPointBytes, entry_bytes - kPointBytes), ad);
    if (!opened.ok()) continue;
    ++result.opened_entries;
    if (opened->size() != shape_.entry_plaintext_bytes()) {
      disagree = true;
    } else if (!plaintexts.empty() &&
               !ConstantTimeEqual(plaintexts.front().span().first(kAeadKeyBytes),
                                  opened->span().first(kAeadKeyBytes))) {
      disagree = true;
    }
    plaintexts.push_back(std::move(opened).value());
  }
  if (result.opened_entries == 0) return result;
  if (disagree) {
    result.inconsistency = "outer entries open to different keys";
    return result;
  }
  AeadKey rkey;
  std::copy_n(plaintexts.front().data(), kAeadKeyBytes, rkey.data());
  auto adct = psi::Open(rkey, rct, ad);
  if (!adct.ok() || adct->size() != kInnerCiphertextBytes) {
    result.inconsistency = "middle layer does not open";
    return result;
  }
  result.inconsistency = ParseCandidates(plaintexts, shape_, adct->span(), result.candidates);
  if (result.inconsistency != nullptr) result.candidates.clear();
  return result;
}

}  // namespace hashveil::psi
