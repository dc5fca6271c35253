// The encoded-point operations, on Element: each decodes its inputs and encodes its result.
#include "hashveil/psi/group.h"

#include <algorithm>

namespace hashveil::psi {
namespace {

// Add and Sub accept the identity, whose only encoding is all zeros, as libsodium's did.
Result<Element> DecodeAllowingIdentity(const Point& point) {
  if (std::ranges::all_of(point.bytes, [](std::uint8_t b) { return b == 0; })) {
    return Element::Identity();
  }
  return Element::Decode(point);
}

}  // namespace

bool IsValidPoint(const Point& point) { return Element::Decode(point).ok(); }

Point HashToGroup(std::string_view domain, std::span<const std::uint8_t> message) {
  return Element::FromHash(domain, message).Encode();
}

Point MulBase(const Scalar& scalar) {
  // A zero scalar gives the identity, all zeros.
  return Element::MulBase(scalar).Encode();
}

Result<Point> Mul(const Scalar& scalar, const Point& point) {
  auto element = Element::Decode(point);
  if (element.ok()) {
    const Element product = element->Mul(scalar);
    if (!product.IsIdentity()) return product.Encode();
  }
  return Status::InvalidInput("scalar multiplication of an invalid point or to the identity");
}

Result<Point> Add(const Point& a, const Point& b) {
  auto x = DecodeAllowingIdentity(a);
  auto y = DecodeAllowingIdentity(b);
  if (!x.ok() || !y.ok()) return Status::InvalidInput("point addition with an invalid point");
  return (*x + *y).Encode();
}

Result<Point> Sub(const Point& a, const Point& b) {
  auto x = DecodeAllowingIdentity(a);
  auto y = DecodeAllowingIdentity(b);
  if (!x.ok() || !y.ok()) return Status::InvalidInput("point subtraction with an invalid point");
  return (*x - *y).Encode();
}

}  // namespace hashveil::psi
