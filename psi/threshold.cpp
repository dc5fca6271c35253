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

// The candidates of one image (same share x), the first one's share and tag standing for all.
struct Image {
  std::size_t first = 0;
  std::vector<std::size_t> members;
};

ShareX XOf(const Candidate& candidate) {
  ShareX x{};
  std::copy(candidate.share.x.bytes().begin(), candidate.share.x.bytes().end(), x.begin());
  return x;
}

// Groups candidates by share x in arrival order; counts those that contradict an earlier one.
std::vector<Image> GroupByImage(std::span<const StoredCandidate> candidates,
                                std::uint64_t& conflicting) {
  std::vector<Image> images;
  std::map<ShareX, std::size_t> by_x;
  std::set<FieldElement> tag_xs;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& candidate = candidates[i].candidate;
    const auto [at, inserted] = by_x.try_emplace(XOf(candidate), images.size());
    if (!inserted) {
      const Candidate& first = candidates[images[at->second].first].candidate;
      if (first.share.y.Equals(candidate.share.y) && first.tag == candidate.tag) {
        images[at->second].members.push_back(i);
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
    images.push_back({.first = i, .members = {i}});
  }
  return images;
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
  const std::vector<Image> images = GroupByImage(candidates, result.conflicting);
  result.distinct_images = images.size();
  if (images.size() < threshold) return result;

  std::vector<Tag> tags;
  tags.reserve(images.size());
  for (const Image& image : images) tags.push_back(candidates[image.first].candidate.tag);
  HV_ASSIGN_OR_RETURN(const Detection detection,
                      DetectRealTags(tags, threshold, synthetic_max));
  if (detection.outcome == Detection::Outcome::kTooManySynthetics) {
    result.outcome = ThresholdResult::Outcome::kTooManySynthetics;
    return result;
  }
  if (detection.outcome == Detection::Outcome::kBelowThreshold) return result;

  std::vector<Share> shares;
  for (const std::size_t index : detection.real) {
    shares.push_back(candidates[images[index].first].candidate.share.Clone());
  }
  HV_ASSIGN_OR_RETURN(const Scalar secret, RecoverSecret(shares, threshold));
  const AeadKey adkey = DeriveKeyFromScalar(secret);

  result.outcome = ThresholdResult::Outcome::kRevealed;
  result.real_images = detection.real.size();
  std::vector<std::size_t> real_candidates;
  for (const std::size_t index : detection.real) {
    real_candidates.insert(real_candidates.end(), images[index].members.begin(),
                           images[index].members.end());
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
