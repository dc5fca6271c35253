#include "hashveil/psi/voucher_builder.h"

#include <algorithm>
#include <array>
#include <utility>

#include "hashveil/psi/crypto.h"
#include "hashveil/psi/key_hashing.h"
#include "voucher_layout.h"

namespace hashveil::psi {
namespace {

using OuterEntry = std::array<std::uint8_t, kOuterEntryBytes>;
using HeaderBytes = std::array<std::uint8_t, kVoucherHeaderBytes>;
using AssociatedData = std::vector<std::uint8_t>;

Status MultiplicationFailed() {
  return Status::Internal("a scalar multiplication produced the identity");
}

OuterEntry SealEntry(const Point& q, const AeadKey& key, const AeadKey& rkey,
                     const AssociatedData& ad) {
  OuterEntry entry{};
  std::copy(q.bytes.begin(), q.bytes.end(), entry.begin());
  const auto ct = SealWithSingleUseKey(key, rkey.span(), ad);
  std::copy(ct.begin(), ct.end(), entry.begin() + kPointBytes);
  return entry;
}

// Step 4 for probe point h = H(y) and slot point p_w. Sealed under KDF(S) when `opens`, else
// under a random key (synthetic vouchers, low-quality images); both are computed either way.
Result<OuterEntry> ProbeEntry(const Point& h, const Point& p_w, const Point& l, bool opens,
                              const AeadKey& rkey, const AssociatedData& ad,
                              RandomSource& random) {
  const Scalar beta = Scalar::Random(random);
  const Scalar gamma = Scalar::Random(random);
  auto beta_h = Mul(beta, h);
  auto beta_p = Mul(beta, p_w);
  auto gamma_l = Mul(gamma, l);
  if (!beta_h.ok() || !beta_p.ok() || !gamma_l.ok()) return MultiplicationFailed();
  auto q = Add(*beta_h, MulBase(gamma));
  auto s = Add(*beta_p, *gamma_l);
  if (!q.ok() || !s.ok()) return MultiplicationFailed();
  const AeadKey derived = DeriveKeyFromPoint(*s);
  const AeadKey unopenable = RandomAeadKey(random);
  return SealEntry(*q, opens ? derived : unopenable, rkey, ad);
}

// Step 5: Q = beta*G, S = beta*L = alpha*Q, so this entry opens for the server.
Result<OuterEntry> SyntheticOpener(const Point& l, const AeadKey& rkey, const AssociatedData& ad,
                                   RandomSource& random) {
  const Scalar beta = Scalar::Random(random);
  auto s = Mul(beta, l);
  if (!s.ok()) return MultiplicationFailed();
  return SealEntry(MulBase(beta), DeriveKeyFromPoint(*s), rkey, ad);
}

// tag || adct || share x || share y.
SecretBytes MiddlePlaintext(const Tag& tag, std::span<const std::uint8_t> adct, const Share& share,
                            std::size_t size) {
  SecretBytes middle(size);
  const std::vector<std::uint8_t> encoded_tag = EncodeTag(tag);
  std::uint8_t* out = std::copy(encoded_tag.begin(), encoded_tag.end(), middle.data());
  out = std::copy(adct.begin(), adct.end(), out);
  out = std::copy(share.x.bytes().begin(), share.x.bytes().end(), out);
  std::copy(share.y.bytes().begin(), share.y.bytes().end(), out);
  return middle;
}

// The per-image values held in plain types (the wiping types hold the rest): wiped when Build
// returns, whichever way. They would tell which image this was, or which role it got.
class PlainImageValues {
 public:
  PlainImageValues(std::vector<matcher::MatchKey>& probes, ImageChoices& choices)
      : probes_(probes), choices_(choices) {}
  ~PlainImageValues() {
    for (matcher::MatchKey& key : probes_) SecureWipe(key.data(), key.size());
    SecureWipe(&choices_.tag_x, sizeof choices_.tag_x);
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

void WipeTag(Tag& tag) {
  SecureWipe(&tag.x, sizeof tag.x);
  SecureWipe(tag.values.data(), tag.values.size() * sizeof(FieldElement));
}

}  // namespace

VoucherShape VoucherBuilder::ShapeOf(const hashdb::ClientDb& db) {
  const hashdb::ClientDbParams& params = db.params();
  return {.epoch = params.epoch,
          .entry_count = params.key_scheme.probes * params.cuckoo_functions,
          .synthetic_max = params.synthetic_max,
          .db_digest = db.digest()};
}

Result<std::unique_ptr<VoucherBuilder>> VoucherBuilder::Create(const hashdb::ClientDb& db,
                                                               AccountState& account,
                                                               std::string_view account_name) {
  const hashdb::ClientDbParams& params = db.params();
  HV_RETURN_IF_ERROR(params.key_scheme.Validate());
  if (params.cuckoo_functions < 1 || params.cuckoo_functions > kMaxCuckooFunctions ||
      params.cuckoo_functions > params.slot_count) {
    return Status::InvalidInput("DB's cuckoo function count is out of range");
  }
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
  return std::unique_ptr<VoucherBuilder>(
      new VoucherBuilder(db, account, std::string(account_name), ShapeOf(db)));
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

  std::vector<matcher::MatchKey> probes =
      matcher::ProbeKeys(input.payload.hash, input.margins, params.key_scheme);
  ImageChoices choices = account_.ChoicesFor(probes.front());
  const PlainImageValues wipe_on_return(probes, choices);
  const bool matchable = input.payload.quality >= matcher::kPdqMinQuality;
  ImageRole role = ImageRole::kReal;
  if (matchable) {
    HV_ASSIGN_OR_RETURN(role, account_.DecideRole(choices));
  }
  const bool synthetic = role == ImageRole::kSynthetic;

  // Steps 1-3. Both the real and the synthetic inner layer, share and tag are computed, one of
  // each is used. A synthetic voucher's inner layer seals zeros under a key nobody keeps: it
  // opens for the server after the threshold (its share is a dummy, so it is set aside by
  // detection), and must then hold nothing of the image.
  const std::vector<std::uint8_t> real_adct = Seal(account_.adkey(), payload.span(), ad, random);
  const std::vector<std::uint8_t> zeros(payload.size());
  const std::vector<std::uint8_t> synthetic_adct = Seal(RandomAeadKey(random), zeros, ad,
                                                        random);
  Share real_share = account_.polynomial().ShareAt(choices.share_x);
  Share dummy_share{choices.share_x.Clone(), choices.dummy_share_y.Clone()};
  Tag real_tag = account_.hkey().Evaluate(choices.tag_x);
  Tag synthetic_tag{choices.tag_x, choices.synthetic_tag_values};
  const SecretBytes middle = MiddlePlaintext(synthetic ? synthetic_tag : real_tag,
                                             synthetic ? synthetic_adct : real_adct,
                                             synthetic ? dummy_share : real_share,
                                             shape_.middle_plaintext_bytes());
  WipeTag(real_tag);
  WipeTag(synthetic_tag);
  const AeadKey rkey = RandomAeadKey(random);
  const std::vector<std::uint8_t> rct = Seal(rkey, middle.span(), ad, random);

  // Steps 4-6.
  std::vector<OuterEntry> entries;
  entries.reserve(shape_.entry_count);
  for (const matcher::MatchKey& probe : probes) {
    const Point h = HashMatchKey(params.db_nonce, probe);
    for (const std::uint64_t slot :
         CuckooSlots(params.db_nonce, probe, params.slot_count, params.cuckoo_functions)) {
      HV_ASSIGN_OR_RETURN(OuterEntry entry,
                          ProbeEntry(h, db_.slot(slot), params.public_point,
                                     matchable && role == ImageRole::kReal, rkey, ad, random));
      entries.push_back(entry);
    }
  }
  HV_ASSIGN_OR_RETURN(const OuterEntry opener,
                      SyntheticOpener(params.public_point, rkey, ad, random));
  const std::size_t replaced = random.Uniform(entries.size());
  if (synthetic) entries[replaced] = opener;
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
