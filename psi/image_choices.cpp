#include "hashveil/psi/image_choices.h"

#include <cassert>
#include <cstring>

#include "field.h"
#include "little_endian.h"

namespace hashveil::psi {
namespace {

// PRF output for one named value of the image; `index` tells apart the values of a list.
template <std::size_t N>
void ImagePrf(const PrfKey& fkey, std::string_view domain, const matcher::MatchKey& base_key,
              std::uint32_t index, SecretArray<N>& out) {
  std::array<std::uint8_t, 4 + std::tuple_size_v<matcher::MatchKey>> input{};
  StoreLittleEndian(index, input.data());
  std::memcpy(input.data() + 4, base_key.data(), base_key.size());
  Prf(fkey, domain, input, out.span());
}

Scalar DeriveScalar(const PrfKey& fkey, std::string_view domain,
                    const matcher::MatchKey& base_key, std::uint32_t index) {
  SecretArray<64> wide;
  ImagePrf(fkey, domain, base_key, index, wide);
  return Scalar::FromWideBytes(wide.span());
}

FieldElement DeriveFieldElement(const PrfKey& fkey, std::string_view domain,
                                const matcher::MatchKey& base_key, std::uint32_t index) {
  SecretArray<16> bits;
  ImagePrf(fkey, domain, base_key, index, bits);
  return field::FromWideBits(LoadLittleEndian<std::uint64_t>(bits.data()), LoadLittleEndian<std::uint64_t>(bits.data() + 8));
}

// x = 0 would make the share the secret itself; it has probability 2^-252, and the next index
// keeps the derivation deterministic.
Scalar DeriveNonzeroScalar(const PrfKey& fkey, std::string_view domain,
                           const matcher::MatchKey& key) {
  Scalar x;
  for (std::uint32_t attempt = 0; x.IsZero(); ++attempt)
    x = DeriveScalar(fkey, domain, key, attempt);
  return x;
}

}  // namespace

ImageChoices DeriveImageChoices(const PrfKey& fkey, const matcher::MatchKey& base_key,
                                std::uint32_t synthetic_max) {
  assert(synthetic_max <= kMaxSyntheticTags);
  ImageChoices choices;
  choices.synthetic_share_x = DeriveNonzeroScalar(fkey, "hashveil/prf/synthetic-share-x", base_key);
  choices.dummy_share_y = DeriveScalar(fkey, "hashveil/prf/synthetic-share-y", base_key, 0);
  choices.synthetic_tag_x = DeriveFieldElement(fkey, "hashveil/prf/synthetic-tag-x", base_key, 0);
  choices.synthetic_tag_values.reserve(synthetic_max);
  for (std::uint32_t i = 0; i < synthetic_max; ++i) {
    choices.synthetic_tag_values.push_back(
        DeriveFieldElement(fkey, "hashveil/prf/synthetic-tag-values", base_key, i));
  }
  SecretArray<16> draw;
  ImagePrf(fkey, "hashveil/prf/synthetic-draw", base_key, 0, draw);
  // 64 bits mod 10^6: bias below 10^6 / 2^64.
  choices.synthetic_draw_ppm = static_cast<std::uint32_t>(LoadLittleEndian<std::uint64_t>(draw.data()) % kPartsPerMillion);
  SecretArray<kBaseKeyTagBytes> record;
  ImagePrf(fkey, "hashveil/prf/base-key-record", base_key, 0, record);
  std::memcpy(choices.base_key_tag.data(), record.data(), kBaseKeyTagBytes);
  return choices;
}

KeyIdentity DeriveKeyIdentity(const PrfKey& fkey, const matcher::MatchKey& key) {
  return {.share_x = DeriveNonzeroScalar(fkey, "hashveil/prf/key-share-x", key),
          .tag_x = DeriveFieldElement(fkey, "hashveil/prf/key-tag-x", key, 0)};
}

}  // namespace hashveil::psi
