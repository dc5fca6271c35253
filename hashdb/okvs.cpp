#include "okvs.h"

#include <algorithm>
#include <atomic>
#include <string>

#include "parallel_for.h"

namespace hashveil::hashdb {
namespace {

// Values are decoded this many at a time, in parallel, ahead of the sequential solve: a block of
// unencoded elements stays small while the decoding keeps every thread busy.
constexpr std::size_t kSolveBlock = 1 << 14;

// The table with every free cell's filler set and every pivot still the identity.
Result<std::vector<psi::Element>> TableWithFillers(const OkvsPlan& plan,
                                                   const psi::FillerSeed& filler_seed,
                                                   unsigned threads) {
  std::vector<psi::Element> table(plan.cell_count);
  HV_RETURN_IF_ERROR(
      ParallelFor(plan.cell_count, threads, [&](std::uint64_t begin, std::uint64_t end) {
        for (std::uint64_t cell = begin; cell < end; ++cell) {
          if (!plan.is_pivot[cell]) table[cell] = psi::FillerElement(filler_seed, cell);
        }
        return Status::Ok();
      }));
  return table;
}

// Solves the pivots of keys peel_order[end - 1] down to peel_order[begin], values decoded first.
Status SolveBlock(const OkvsPlan& plan, std::span<const psi::Point> values, std::size_t begin,
                  std::size_t end, unsigned threads, std::vector<psi::Element>& decoded,
                  std::vector<psi::Element>& table) {
  decoded.resize(end - begin);
  std::atomic<std::uint64_t> first_invalid{UINT64_MAX};
  HV_RETURN_IF_ERROR(ParallelFor(end - begin, threads, [&](std::uint64_t from, std::uint64_t to) {
    for (std::uint64_t i = from; i < to; ++i) {
      const std::uint32_t key = plan.peel_order[begin + i];
      auto value = psi::Element::Decode(values[key]);
      if (!value.ok()) {
        std::uint64_t seen = first_invalid.load();
        while (key < seen && !first_invalid.compare_exchange_weak(seen, key)) {
        }
        continue;
      }
      decoded[i] = *value;
    }
    return Status::Ok();
  }));
  if (first_invalid != UINT64_MAX) {
    return Status::InvalidInput("value " + std::to_string(first_invalid.load()) +
                                " is not a valid point");
  }
  for (std::size_t i = end - begin; i-- > 0;) {
    const std::uint32_t key = plan.peel_order[begin + i];
    const std::array<std::uint64_t, 3>& cells = plan.cells[key];
    const std::uint8_t pivot = plan.pivot[key];
    psi::Element& target = table[cells[pivot]];
    target = decoded[i];
    for (std::uint8_t j = 0; j < 3; ++j) {
      if (j != pivot) target -= table[cells[j]];
    }
  }
  return Status::Ok();
}

}  // namespace

std::uint64_t OkvsCellCount(std::uint64_t key_count) {
  // 1.23 n, plus 24 so that small sets (whose 2-cores come from a few keys sharing cells) rarely
  // need a retry; rounded up to a multiple of 3.
  const std::uint64_t cells = key_count + (key_count * 23 + 99) / 100 + 24;
  return (cells + 2) / 3 * 3;
}

Result<OkvsPlan> PlanOkvs(std::span<const matcher::MatchKey> keys, const psi::DbNonce& db_nonce,
                          std::uint32_t attempt, std::uint64_t cell_count, unsigned threads) {
  if (cell_count < 3 || cell_count % 3 != 0) {
    return Status::InvalidInput("OKVS cell count must be a positive multiple of 3");
  }
  if (keys.size() > cell_count) return Status::InvalidInput("more keys than OKVS cells");
  if (keys.size() >= UINT32_MAX) {
    return Status::ResourceExhausted("too many keys for one OKVS table");
  }
  OkvsPlan plan;
  plan.cell_count = cell_count;
  plan.attempt = attempt;
  plan.cells.resize(keys.size());
  HV_RETURN_IF_ERROR(ParallelFor(keys.size(), threads, [&](std::uint64_t begin, std::uint64_t end) {
    for (std::uint64_t i = begin; i < end; ++i) {
      plan.cells[i] = psi::OkvsCells(db_nonce, attempt, keys[i], cell_count);
    }
    return Status::Ok();
  }));

  // Per cell, how many unpeeled keys use it and the XOR of their indices: when one is left, the
  // XOR is that key.
  std::vector<std::uint32_t> degree(cell_count, 0);
  std::vector<std::uint32_t> key_xor(cell_count, 0);
  for (std::uint32_t key = 0; key < keys.size(); ++key) {
    for (const std::uint64_t cell : plan.cells[key]) {
      ++degree[cell];
      key_xor[cell] ^= key;
    }
  }
  std::vector<std::uint64_t> queue;
  for (std::uint64_t cell = 0; cell < cell_count; ++cell) {
    if (degree[cell] == 1) queue.push_back(cell);
  }
  plan.pivot.assign(keys.size(), 0);
  plan.peel_order.reserve(keys.size());
  plan.is_pivot.assign(cell_count, false);
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const std::uint64_t cell = queue[head];
    if (degree[cell] != 1) continue;  // its key was peeled through another cell meanwhile
    const std::uint32_t key = key_xor[cell];
    const std::array<std::uint64_t, 3>& cells = plan.cells[key];
    for (std::uint8_t j = 0; j < 3; ++j) {
      const std::uint64_t other = cells[j];
      if (other == cell) plan.pivot[key] = j;
      --degree[other];
      key_xor[other] ^= key;
      if (other != cell && degree[other] == 1) queue.push_back(other);
    }
    plan.is_pivot[cell] = true;
    plan.peel_order.push_back(key);
  }
  if (plan.peel_order.size() != keys.size()) {
    return Status::FailedPrecondition("the keys do not peel under this OKVS attempt");
  }
  return plan;
}

Result<std::vector<psi::Point>> SolveOkvs(const OkvsPlan& plan, std::span<const psi::Point> values,
                                          const psi::FillerSeed& filler_seed, unsigned threads) {
  if (values.size() != plan.cells.size() || plan.peel_order.size() != plan.cells.size() ||
      plan.pivot.size() != plan.cells.size() || plan.is_pivot.size() != plan.cell_count) {
    return Status::InvalidInput("OKVS values do not match the plan's key count");
  }
  HV_ASSIGN_OR_RETURN(std::vector<psi::Element> table,
                      TableWithFillers(plan, filler_seed, threads));
  // Reverse peel order: a key's other two cells were fixed before it (they are free, or pivots
  // of keys peeled after it), so its pivot is the one unknown of its equation.
  std::vector<psi::Element> decoded;
  for (std::size_t end = plan.peel_order.size(); end > 0;) {
    const std::size_t begin = end > kSolveBlock ? end - kSolveBlock : 0;
    HV_RETURN_IF_ERROR(SolveBlock(plan, values, begin, end, threads, decoded, table));
    end = begin;
  }

  std::vector<psi::Point> points(plan.cell_count);
  std::atomic<bool> identity{false};
  HV_RETURN_IF_ERROR(
      ParallelFor(plan.cell_count, threads, [&](std::uint64_t begin, std::uint64_t end) {
        for (std::uint64_t cell = begin; cell < end; ++cell) {
          if (table[cell].IsIdentity()) identity = true;
          points[cell] = table[cell].Encode();
        }
        return Status::Ok();
      }));
  if (identity) return Status::FailedPrecondition("an OKVS cell came out as the identity");
  std::vector<psi::Point> sorted = points;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return Status::FailedPrecondition("two OKVS cells came out equal");
  }
  return points;
}

}  // namespace hashveil::hashdb
