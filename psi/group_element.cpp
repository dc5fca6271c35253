// ristretto255 elements on libdecaf, which keeps points unencoded between operations and has
// precomputed tables; its encodings and from_hash are libsodium's (group_agreement_test).
#include "hashveil/psi/group.h"

#include <decaf/point_255.h>
#include <sodium.h>

#include <new>

namespace hashveil::psi {
namespace {

static_assert(kPointBytes == DECAF_255_SER_BYTES);
static_assert(kScalarBytes == DECAF_255_SCALAR_BYTES);
static_assert(crypto_core_ristretto255_HASHBYTES == 2 * DECAF_255_HASH_BYTES);

// Element::storage_, which holds a decaf_255_point_s.
using Storage = std::array<std::byte, 256>;
static_assert(sizeof(Storage) == sizeof(decaf_255_point_t));
static_assert(alignof(Element) >= alignof(decaf_255_point_t));

decaf_255_point_s* Raw(Storage& storage) {
  return std::launder(reinterpret_cast<decaf_255_point_s*>(storage.data()));
}
const decaf_255_point_s* Raw(const Storage& storage) {
  return std::launder(reinterpret_cast<const decaf_255_point_s*>(storage.data()));
}

// A Scalar in libdecaf's form for the length of one call, then wiped: scalars may be secrets.
class DecafScalar {
 public:
  explicit DecafScalar(const Scalar& scalar) {
    // A Scalar is always reduced, so this reads it unchanged.
    decaf_255_scalar_decode_long(value_, scalar.bytes().data(), kScalarBytes);
  }
  DecafScalar(const DecafScalar&) = delete;
  DecafScalar& operator=(const DecafScalar&) = delete;
  ~DecafScalar() { decaf_255_scalar_destroy(value_); }

  const decaf_255_scalar_s* get() const { return value_; }

 private:
  decaf_255_scalar_t value_;
};

std::align_val_t TableAlignment() { return std::align_val_t{decaf_255_alignof_precomputed_s}; }

}  // namespace

Element::Element() { decaf_255_point_copy(Raw(storage_), decaf_255_point_identity); }

Result<Element> Element::Decode(const Point& point) {
  Element e;
  if (decaf_255_point_decode(Raw(e.storage_), point.bytes.data(), DECAF_FALSE) != DECAF_SUCCESS) {
    return Status::InvalidInput("not a valid ristretto255 point, or the identity");
  }
  return e;
}

Element Element::Identity() { return Element(); }

Element Element::Generator() {
  Element e;
  decaf_255_point_copy(Raw(e.storage_), decaf_255_point_base);
  return e;
}

Element Element::FromHash(std::string_view domain, std::span<const std::uint8_t> message) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_core_ristretto255_HASHBYTES);
  const std::uint8_t domain_length = static_cast<std::uint8_t>(domain.size());
  crypto_generichash_update(&state, &domain_length, 1);
  crypto_generichash_update(&state, reinterpret_cast<const std::uint8_t*>(domain.data()),
                            domain.size());
  crypto_generichash_update(&state, message.data(), message.size());
  std::array<std::uint8_t, crypto_core_ristretto255_HASHBYTES> digest{};
  crypto_generichash_final(&state, digest.data(), digest.size());
  // The sum of two Elligator maps, one per half: libsodium's crypto_core_ristretto255_from_hash.
  Element e;
  decaf_255_point_from_hash_uniform(Raw(e.storage_), digest.data());
  return e;
}

Point Element::Encode() const {
  Point point;
  decaf_255_point_encode(point.bytes.data(), Raw(storage_));
  return point;
}

bool Element::IsIdentity() const {
  return decaf_255_point_eq(Raw(storage_), decaf_255_point_identity) != DECAF_FALSE;
}

Element& Element::operator+=(const Element& other) {
  decaf_255_point_add(Raw(storage_), Raw(storage_), Raw(other.storage_));
  return *this;
}

Element& Element::operator-=(const Element& other) {
  decaf_255_point_sub(Raw(storage_), Raw(storage_), Raw(other.storage_));
  return *this;
}

bool operator==(const Element& a, const Element& b) {
  return decaf_255_point_eq(Raw(a.storage_), Raw(b.storage_)) != DECAF_FALSE;
}

Element Element::Mul(const Scalar& scalar) const {
  Element e;
  decaf_255_point_scalarmul(Raw(e.storage_), Raw(storage_), DecafScalar(scalar).get());
  return e;
}

Element Element::MulBase(const Scalar& scalar) {
  Element e;
  decaf_255_precomputed_scalarmul(Raw(e.storage_), decaf_255_precomputed_base,
                                  DecafScalar(scalar).get());
  return e;
}

Element Element::DoubleMul(const Scalar& a, const Element& p, const Scalar& b,
                           const Element& q) {
  Element e;
  decaf_255_point_double_scalarmul(Raw(e.storage_), Raw(p.storage_), DecafScalar(a).get(),
                                   Raw(q.storage_), DecafScalar(b).get());
  return e;
}

void PrecomputedElement::TableDeleter::operator()(void* table) const {
  ::operator delete(table, TableAlignment());
}

PrecomputedElement::PrecomputedElement(const Element& point)
    : table_(::operator new(decaf_255_sizeof_precomputed_s, TableAlignment())) {
  decaf_255_precompute(static_cast<decaf_255_precomputed_s*>(table_.get()), Raw(point.storage_));
}

Element PrecomputedElement::Mul(const Scalar& scalar) const {
  Element e;
  decaf_255_precomputed_scalarmul(Raw(e.storage_),
                                  static_cast<const decaf_255_precomputed_s*>(table_.get()),
                                  DecafScalar(scalar).get());
  return e;
}

}  // namespace hashveil::psi
