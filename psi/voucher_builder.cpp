#include "hashveil/psi/voucher_builder.h"

#include <algorithm>
#include <array>
#include <type_traits>
#include <utility>

#include "hashveil/matcher/device_probes.h"
#include "hashveil/psi/crypto.h"
#include "hashveil/psi/key_hashing.h"
#include "voucher_layout.h"

namespace hashveil::psi {
namespace {

using OuterEntry = std::vector<std::uint8_t>;
using HeaderBytes = std::array<std::uint8_t, kVoucherHeaderBytes>;
using AssociatedData = std::vector<std::uint8_t>;

Status MultiplicationFailed() {
  return Status::Internal("a scalar multiplication produced the identity");
}

OuterEntry SealEntry(const Point& q, const AeadKey& key, const SecretBytes& plaintext,
                     const AssociatedData& ad) {
  OuterEntry entry(q.bytes.begin(), q.bytes.end());
  const auto ct = SealWithSingleUseKey(key, plaintext.span(), ad);
  entry.insert(entry.end(), ct.begin(), ct.end());
  return entry;
}

// Step 6 for probe point h = H(y) and p = P_y, what the DB decodes y to. Sealed under KDF(S)
// when `opens`, else under a random key (synthetic vouchers, low-quality images); both are
// computed either way.
Result<OuterEntry> ProbeEntry(const Element& h, const Element& p, const PrecomputedElement& l,
                              bool opens, const SecretBytes& plaintext, const AssociatedData& ad,
                              RandomSource& random) {
  const Scalar beta = Scalar::Random(random);
  const Scalar gamma = Scalar::Random(random);
  const Element q = h.Mul(beta) + Element::MulBase(gamma);
  const Element s = p.Mul(beta) + l.Mul(gamma);
  if (q.IsIdentity() || s.IsIdentity()) return MultiplicationFailed();
  const AeadKey derived = DeriveKeyFromPoint(s.Encode());
  const AeadKey unopenable = RandomAeadKey(random);
  return SealEntry(q.Encode(), opens ? derived : unopenable, plaintext, ad);
}

// Step 7: Q = beta*G, S = beta*L = alpha*Q, so this entry opens for the server.
Result<OuterEntry> SyntheticOpener(const PrecomputedElement& l, const SecretBytes& plaintext,
                                   const AssociatedData& ad, RandomSource& random) {
  const Scalar beta = Scalar::Random(random);
  const Element s = l.Mul(beta);
  if (s.IsIdentity()) return MultiplicationFailed();
  return SealEntry(Element::MulBase(beta).Encode(), DeriveKeyFromPoint(s.Encode()), plaintext, ad);
}

void WipeTag(Tag& tag) {
  SecureWipe(&tag.x, sizeof tag.x);
  SecureWipe(tag.values.data(), tag.values.size() * sizeof(FieldElement));
}

// rkey || tag || share x || share y: what an opened entry gives the server. Wipes the tag.
SecretBytes EntryPlaintext(const AeadKey& rkey, Tag& tag, const Share& share, std::size_t size) {
  SecretBytes plaintext(size);
  std::uint8_t* out = std::copy(rkey.span().begin(), rkey.span().end(), plaintext.data());
  const std::vector<std::uint8_t> encoded_tag = EncodeTag(tag);
  WipeTag(tag);
  out = std::copy(encoded_tag.begin(), encoded_tag.end(), out);
  out = std::copy(share.x.bytes().begin(), share.x.bytes().end(), out);
  std::copy(share.y.bytes().begin(), share.y.bytes().end(), out);
  return plaintext;
}

// The per-image values held in plain types (the wiping types hold the rest): wiped when Build
// returns, whichever way. They would tell which image this was, or which role it got.
class PlainImageValues {
 public:
  PlainImageValues(std::vector<matcher::MatchKey>& probes, ImageChoices& choices)
      : probes_(probes), choices_(choices) {}
  ~PlainImageValues() {
    for (matcher::MatchKey& key : probes_) SecureWipe(key.data(), key.size());
    SecureWipe(&choices_.synthetic_tag_x, sizeof choices_.synthetic_tag_x);
    SecureWipe(choices_.synthetic_tag_values.data(),
               choices_.synthetic_tag_values.size() * sizeof(FieldElement));
    SecureWipe(&choices_.synthetic_draw_ppm, sizeof choices_.synthetic_draw_ppm);
    SecureWipe(choices_.base_key_tag.data(), choices_.base_key_tag.size());
  }
  PlainImageValues(const PlainImageValues&) = delete;
  PlainImageValues& operator=(const PlainImageValues&) = delete;

 private:
  std::vector<matcher::MatchKey>& probes_;
  ImageChoices& choices_;
};

}  // namespace

VoucherShape VoucherBuilder::ShapeOf(const hashdb::ClientDb& db) {
  const hashdb::ClientDbParams& params = db.params();
  return {.epoch = params.epoch,
          .entry_count = params.key_scheme.probes,
          .synthetic_max = params.synthetic_max,
          .db_digest = db.digest()};
}

Result<std::unique_ptr<VoucherBuilder>> VoucherBuilder::Create(const hashdb::ClientDb& db,
                                                               AccountState& account,
                                                               std::string_view account_name) {
  const hashdb::ClientDbParams& params = db.params();
  HV_RETURN_IF_ERROR(params.key_scheme.Validate());
  if (params.synthetic_max > kMaxSyntheticTags) {
    return Status::InvalidInput("DB's synthetic cap is out of range");
  }
  if (!IsValidAccountName(account_name)) return Status::InvalidInput("account name is not valid");
  const AccountParameters& pinned = account.params();
  if (pinned.threshold != params.threshold || pinned.synthetic_max != params.synthetic_max ||
      pinned.synthetic_rate_ppm != params.synthetic_rate_ppm) {
    return Status::FailedPrecondition(
        "account state was opened for other privacy parameters than the DB's");
  }
  auto public_point = Element::Decode(params.public_point);
  if (!public_point.ok()) return Status::InvalidInput("DB's public point is not valid");
  return std::unique_ptr<VoucherBuilder>(new VoucherBuilder(
      db, account, std::string(account_name), ShapeOf(db), PrecomputedElement(*public_point)));
}

Result<std::vector<std::uint8_t>> VoucherBuilder::Build(const VoucherInput& input,
                                                        RandomSource& random) const {
  HV_ASSIGN_OR_RETURN(const SecretBytes payload, EncodeVoucherPayload(input.payload));
  const hashdb::ClientDbParams& params = db_.params();
  VoucherHeader header{.epoch = params.epoch, .entry_count = shape_.entry_count};
  random.Fill(header.id);
  const HeaderBytes header_bytes = EncodeVoucherHeader(header);
  const std::vector<std::uint8_t> ad =
      VoucherAssociatedData(header_bytes, account_name_, shape_.db_digest);

  matcher::PdqResult hashed{
      .hash = input.payload.hash, .margins = input.margins, .variants = input.variants};
  Result<std::vector<matcher::MatchKey>> derived =
      matcher::DeviceProbeKeys(hashed, params.key_scheme);
  static_assert(std::is_trivially_copyable_v<matcher::PdqResult>);
  SecureWipe(&hashed, sizeof hashed);  // a copy of the image's hash, margins and variants
  HV_ASSIGN_OR_RETURN(std::vector<matcher::MatchKey> probes, std::move(derived));
  ImageChoices choices = account_.ChoicesFor(probes.front());
  const PlainImageValues wipe_on_return(probes, choices);
  const bool matchable = input.payload.quality >= matcher::kPdqMinQuality;
  ImageRole role = ImageRole::kReal;
  if (matchable) {
    HV_ASSIGN_OR_RETURN(role, account_.DecideRole(choices));
  }
  const bool synthetic = role == ImageRole::kSynthetic;

  // Steps 4-5. Both the real and the synthetic inner layer are computed, one is used. A
  // synthetic voucher's inner layer seals zeros under a key nobody keeps: it opens for the
  // server after the threshold (its share is a dummy, so detection sets it aside), and must then
  // hold nothing of the image.
  const std::vector<std::uint8_t> real_adct = Seal(account_.adkey(), payload.span(), ad, random);
  const std::vector<std::uint8_t> zeros(payload.size());
  const std::vector<std::uint8_t> synthetic_adct = Seal(RandomAeadKey(random), zeros, ad, random);
  const AeadKey rkey = RandomAeadKey(random);
  const std::vector<std::uint8_t> rct =
      Seal(rkey, synthetic ? synthetic_adct : real_adct, ad, random);

  // Step 6: one entry per probe, each with its own key's share and tag.
  const std::size_t plaintext_bytes = shape_.entry_plaintext_bytes();
  std::vector<OuterEntry> entries;
  entries.reserve(shape_.entry_count);
  for (const matcher::MatchKey& probe : probes) {
    KeyIdentity identity = account_.IdentityOf(probe);
    Tag tag = account_.hkey().Evaluate(identity.tag_x);
    SecureWipe(&identity.tag_x, sizeof identity.tag_x);
    const SecretBytes plaintext =
        EntryPlaintext(rkey, tag, account_.polynomial().ShareAt(identity.share_x), plaintext_bytes);
    HV_ASSIGN_OR_RETURN(const Element p, db_.ProbeValue(probe));
    HV_ASSIGN_OR_RETURN(OuterEntry entry,
                        ProbeEntry(HashMatchKeyElement(params.db_nonce, probe), p, public_point_,
                                   matchable && role == ImageRole::kReal, plaintext, ad, random));
    entries.push_back(std::move(entry));
  }
  // Step 7: the synthetic opener carries the image's synthetic share (x, z) and tag (x', r').
  Tag synthetic_tag{choices.synthetic_tag_x, choices.synthetic_tag_values};
  const SecretBytes synthetic_plaintext = EntryPlaintext(
      rkey, synthetic_tag, Share{choices.synthetic_share_x.Clone(), choices.dummy_share_y.Clone()},
      plaintext_bytes);
  HV_ASSIGN_OR_RETURN(OuterEntry opener,
                      SyntheticOpener(public_point_, synthetic_plaintext, ad, random));
  const std::size_t replaced = random.Uniform(entries.size());
  if (synthetic) entries[replaced] = std::move(opener);
  for (std::size_t i = entries.size(); i > 1; --i) {
    std::swap(entries[i - 1], entries[random.Uniform(i)]);
  }

  std::vector<std::uint8_t> voucher;
  voucher.reserve(shape_.total_bytes());
  voucher.insert(voucher.end(), header_bytes.begin(), header_bytes.end());
  for (const OuterEntry& entry : entries) voucher.insert(voucher.end(), entry.begin(), entry.end());
  voucher.insert(voucher.end(), rct.begin(), rct.end());
  if (voucher.size() != shape_.total_bytes()) return Status::Internal("voucher size mismatch");
  return voucher;
}

}  // namespace hashveil::psi
