#include "hashveil/psi/threshold.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "hashveil/psi/crypto.h"
#include "hashveil/psi/detectable_hash.h"
#include "hashveil/psi/shamir.h"

namespace hashveil::psi {
namespace {

using ShareX = std::array<std::uint8_t, kScalarBytes>;

// The candidates of one identity (same share x: one DB key, or one synthetic image), the first
// one's share and tag standing for all.
struct Identity {
  std::size_t first = 0;
  std::vector<std::size_t> members;
};

ShareX XOf(const Candidate& candidate) {
  ShareX x{};
  std::copy(candidate.share.x.bytes().begin(), candidate.share.x.bytes().end(), x.begin());
  return x;
}

// Groups candidates by share x in arrival order; counts those that contradict an earlier one.
std::vector<Identity> GroupByIdentity(std::span<const StoredCandidate> candidates,
                                      std::uint64_t& conflicting) {
  std::vector<Identity> identities;
  std::map<ShareX, std::size_t> by_x;
  std::set<FieldElement> tag_xs;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& candidate = candidates[i].candidate;
    const auto [at, inserted] = by_x.try_emplace(XOf(candidate), identities.size());
    if (!inserted) {
      const Candidate& first = candidates[identities[at->second].first].candidate;
      if (first.share.y.Equals(candidate.share.y) && first.tag == candidate.tag) {
        identities[at->second].members.push_back(i);
      } else {
        ++conflicting;
      }
      continue;
    }
    if (!tag_xs.insert(candidate.tag.x).second) {
      by_x.erase(at);
      ++conflicting;
      continue;
    }
    identities.push_back({.first = i, .members = {i}});
  }
  return identities;
}

// Images: identities joined when one voucher opened entries of both (an image whose probes
// reached two DB keys). Returns each identity's image number; `count` is the number of images.
std::vector<std::size_t> ImagesOf(std::span<const StoredCandidate> candidates,
                                  std::span<const Identity> identities, std::size_t& count) {
  std::vector<std::size_t> parent(identities.size());
  for (std::size_t i = 0; i < parent.size(); ++i) parent[i] = i;
  const std::function<std::size_t(std::size_t)> root = [&](std::size_t i) {
    return parent[i] == i ? i : parent[i] = root(parent[i]);
  };
  std::map<VoucherId, std::size_t> identity_of_voucher;
  for (std::size_t i = 0; i < identities.size(); ++i) {
    for (const std::size_t member : identities[i].members) {
      const auto [at, inserted] = identity_of_voucher.try_emplace(candidates[member].id, i);
      if (!inserted) parent[root(i)] = root(at->second);
    }
  }
  std::map<std::size_t, std::size_t> number;
  std::vector<std::size_t> image(identities.size());
  for (std::size_t i = 0; i < identities.size(); ++i) {
    image[i] = number.try_emplace(root(i), number.size()).first->second;
  }
  count = number.size();
  return image;
}

// The shape each candidate was made for; null when its epoch is unknown.
using ShapeOf = std::function<const VoucherShape*(const StoredCandidate&)>;

Result<ThresholdResult> Process(std::string_view account,
                                std::span<const StoredCandidate> candidates,
                                std::uint32_t threshold, std::uint32_t synthetic_max,
                                const ShapeOf& shape_of) {
  if (threshold < 2 || threshold > kMaxThreshold || synthetic_max > kMaxSyntheticTags) {
    return Status::InvalidInput("threshold parameters are out of range");
  }
  for (const StoredCandidate& stored : candidates) {
    if (shape_of(stored) == nullptr) {
      return Status::InvalidInput("a candidate's DB epoch is not among the given ones");
    }
  }
  ThresholdResult result;
  const std::vector<Identity> identities = GroupByIdentity(candidates, result.conflicting);
  std::size_t image_count = 0;
  const std::vector<std::size_t> image_of = ImagesOf(candidates, identities, image_count);
  result.distinct_keys = identities.size();
  result.distinct_images = image_count;
  if (image_count < threshold) return result;

  std::vector<Tag> tags;
  tags.reserve(identities.size());
  for (const Identity& identity : identities) {
    tags.push_back(candidates[identity.first].candidate.tag);
  }
  HV_ASSIGN_OR_RETURN(const Detection detection,
                      DetectRealTags(tags, threshold, synthetic_max));
  if (detection.outcome == Detection::Outcome::kTooManySynthetics) {
    result.outcome = ThresholdResult::Outcome::kTooManySynthetics;
    return result;
  }
  if (detection.outcome == Detection::Outcome::kBelowThreshold) return result;
  // t real keys from fewer than t images (one image that reached several DB keys) is below the
  // threshold too: it means t distinct known images.
  std::set<std::size_t> real_images;
  for (const std::size_t index : detection.real) real_images.insert(image_of[index]);
  if (real_images.size() < threshold) return result;

  std::vector<Share> shares;
  for (const std::size_t index : detection.real) {
    shares.push_back(candidates[identities[index].first].candidate.share.Clone());
  }
  HV_ASSIGN_OR_RETURN(const Scalar secret, RecoverSecret(shares, threshold));
  const AeadKey adkey = DeriveKeyFromScalar(secret);

  result.outcome = ThresholdResult::Outcome::kRevealed;
  result.real_images = real_images.size();
  result.real_keys = detection.real.size();
  // Each voucher once, whichever of its entries are real.
  std::vector<std::size_t> real_candidates;
  std::set<VoucherId> seen;
  for (const std::size_t index : detection.real) {
    for (const std::size_t member : identities[index].members) {
      if (seen.insert(candidates[member].id).second) real_candidates.push_back(member);
    }
  }
  std::sort(real_candidates.begin(), real_candidates.end());
  for (const std::size_t i : real_candidates) {
    const StoredCandidate& stored = candidates[i];
    const VoucherShape& shape = *shape_of(stored);
    const auto header = EncodeVoucherHeader(
        {.epoch = shape.epoch, .id = stored.id, .entry_count = shape.entry_count});
    auto payload_bytes = Open(adkey, stored.candidate.adct,
                              VoucherAssociatedData(header, account, shape.db_digest));
    auto payload = payload_bytes.ok() ? DecodeVoucherPayload(payload_bytes->span())
                                      : Result<VoucherPayload>(payload_bytes.status());
    if (!payload.ok()) {
      result.unopened.push_back(stored.id);
      continue;
    }
    result.revealed.push_back(
        {.id = stored.id, .payload = std::move(payload).value(), .epoch = shape.epoch});
  }
  return result;
}

}  // namespace

Result<ThresholdResult> ProcessThreshold(std::string_view account,
                                         std::span<const StoredCandidate> candidates,
                                         const EpochGroup& group) {
  if (group.shapes.empty()) return Status::InvalidInput("no DB epoch given");
  const std::uint32_t synthetic_max = group.shapes.begin()->second.synthetic_max;
  for (const auto& [epoch, shape] : group.shapes) {
    if (shape.synthetic_max != synthetic_max || shape.epoch != epoch) {
      return Status::InvalidInput("the group's shapes are inconsistent (epoch or s)");
    }
  }
  return Process(account, candidates, group.threshold, synthetic_max,
                 [&group](const StoredCandidate& stored) -> const VoucherShape* {
                   const auto found = group.shapes.find(stored.epoch);
                   return found == group.shapes.end() ? nullptr : &found->second;
                 });
}

Result<ThresholdResult> ProcessThreshold(std::string_view account,
                                         std::span<const StoredCandidate> candidates,
                                         const VoucherShape& shape, std::uint32_t threshold) {
  return Process(account, candidates, threshold, shape.synthetic_max,
                 [&shape](const StoredCandidate&) { return &shape; });
}

}  // namespace hashveil::psi
