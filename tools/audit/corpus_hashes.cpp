#include "audit/corpus_hashes.h"

#include "audit/parallel_for.h"
#include "audit/transforms.h"
#include "hashveil/common/secret_file.h"

namespace hashveil::audit {
namespace {

constexpr std::uint64_t kMaxFileBytes = 256ull << 20;

// SplitMix64's finaliser: decorrelates the (seed, image, transform) triples.
std::uint64_t Mix(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t TransformSeed(std::uint64_t seed, std::uint64_t image, std::uint64_t transform) {
  return Mix(Mix(Mix(seed) + image) + transform);
}

enum class Outcome { kUsable, kUnreadable, kLowQuality };

struct Slot {
  Outcome outcome = Outcome::kUnreadable;
  ImageHashes hashes;
  std::uint64_t transform_failures = 0;
};

void HashOne(const std::filesystem::path& file, std::uint64_t seed, int working_side,
             std::uint64_t index, Slot& slot) {
  const Result<std::vector<std::uint8_t>> bytes = ReadFileBytes(file, kMaxFileBytes);
  if (!bytes.ok()) return;
  // The DB side hashes the file; the device side (every copy, and the original where it plays
  // the device in the false-match pairs) also hashes its variants.
  const matcher::DecodeOptions options{.dihedral = true, .variants = true};
  Result<matcher::PdqResult> original = matcher::HashEncodedImage(*bytes, options);
  if (!original.ok()) return;
  if (original->quality < matcher::kPdqMinQuality) {
    slot.outcome = Outcome::kLowQuality;
    return;
  }
  const Result<BgrImage> working = DecodeWorkingImage(*bytes, working_side);
  if (!working.ok()) return;
  slot.outcome = Outcome::kUsable;
  slot.hashes.original = std::move(*original);
  const std::size_t count = TransformSuite().size();
  slot.hashes.transformed.resize(count);
  for (std::size_t t = 0; t < count; ++t) {
    const Result<std::vector<std::uint8_t>> encoded =
        ApplyTransform(t, working->view(), TransformSeed(seed, index, t));
    Result<matcher::PdqResult> hashed =
        encoded.ok() ? matcher::HashEncodedImage(*encoded, options) : encoded.status();
    if (hashed.ok()) {
      slot.hashes.transformed[t] = std::move(*hashed);
    } else {
      ++slot.transform_failures;
    }
  }
}

}  // namespace

CorpusHashes HashCorpus(const std::vector<std::filesystem::path>& files, std::uint64_t seed,
                        int working_side, unsigned threads, const HashProgress& progress) {
  std::vector<Slot> slots(files.size());
  ParallelFor(
      files.size(), threads, [&](std::uint64_t i) { HashOne(files[i], seed, working_side, i, slots[i]); },
      progress);

  CorpusHashes corpus;
  for (Slot& slot : slots) {
    switch (slot.outcome) {
      case Outcome::kUsable:
        corpus.transform_failures += slot.transform_failures;
        corpus.images.push_back(std::move(slot.hashes));
        break;
      case Outcome::kUnreadable: ++corpus.unreadable; break;
      case Outcome::kLowQuality: ++corpus.low_quality; break;
    }
  }
  return corpus;
}

}  // namespace hashveil::audit
