#include "db_report.h"

#include <cstdint>
#include <cstdio>
#include <ctime>

#include "hashveil/common/hex.h"

namespace hashveil::tools {
namespace {

// "2027-02-26 14:03:00 UTC", or the bare number when the C library cannot convert it.
std::string UtcDate(std::uint64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  char text[40];
  if (unix_seconds > static_cast<std::uint64_t>(INT64_MAX) || gmtime_r(&t, &tm) == nullptr ||
      std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
    return "not a representable date";
  }
  return text;
}

}  // namespace

void PrintDbParams(const hashdb::ClientDbParams& p) {
  std::printf("format version: %u\n", p.format_version);
  std::printf("epoch: %llu\n", static_cast<unsigned long long>(p.epoch));
  std::printf("expires at: %llu (%s)\n", static_cast<unsigned long long>(p.expires_at),
              UtcDate(p.expires_at).c_str());
  std::printf("entries: %llu\n", static_cast<unsigned long long>(p.entry_count));
  std::printf("keys placed: %llu\n", static_cast<unsigned long long>(p.key_count));
  // Format 3 places every key; "keys dropped" and "slots" (now the cells) stay for scripts.
  std::printf("keys dropped: 0\n");
  const double load = static_cast<double>(p.key_count) / static_cast<double>(p.cell_count);
  std::printf("slots: %llu (load %.3f; format 3: the table's cells)\n",
              static_cast<unsigned long long>(p.cell_count), load);
  std::printf("cells: %llu (3-cell garbled cuckoo table, load %.3f)\n",
              static_cast<unsigned long long>(p.cell_count), load);
  std::printf("okvs attempt: %u (the header's retry counter; 0: the first plan peeled)\n",
              p.okvs_attempt);
  std::printf("key scheme: tables L=%u, bits k=%u, probes P=%u, seed %llu\n", p.key_scheme.tables,
              p.key_scheme.bits_per_key, p.key_scheme.probes,
              static_cast<unsigned long long>(p.key_scheme.seed));
  std::printf("key scheme revision: %u (the rules devices derive probe keys by)\n",
              p.key_scheme.revision);
  std::printf("threshold t: %u\n", p.threshold);
  std::printf("synthetic rate p_syn: %.4f (%u ppm)\n", p.synthetic_rate_ppm / 1e6,
              p.synthetic_rate_ppm);
  std::printf("synthetic max s_max: %u\n", p.synthetic_max);
  std::printf("policy: quality >= %u, sources >= %u%s, merge distance %u\n", p.policy.min_quality,
              p.policy.min_sources,
              p.policy.distinct_jurisdictions ? " from distinct jurisdictions" : "",
              p.policy.merge_distance);
  std::printf("public point L: %s\n", ToHex(p.public_point.bytes).c_str());
  std::printf("filler seed commitment: %s (the seed is in the auditor proof)\n",
              ToHex(p.filler_seed_commitment).c_str());
}

void PrintDbDigest(const hashdb::Digest& digest) {
  std::printf("digest: %s\n", ToHex(digest).c_str());
}

std::filesystem::path DefaultProofPath(const std::filesystem::path& db_path) {
  return db_path.string() + ".proof";
}

void PrintError(const std::string& command, const std::string& error) {
  std::fprintf(stderr, "hashveil %s: %s\n", command.c_str(), error.c_str());
}

}  // namespace hashveil::tools
