// Shared pieces of the DB publishing tests: a scratch directory, seeded keys and entries.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "hashveil/common/random.h"
#include "hashveil/common/seeded_random.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/hashdb/publication.h"
#include "support/test_paths.h"

namespace hashveil::hashdb::testing {

// A fresh directory per test, removed afterwards.
class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::hashveil::testing::FreshDirForCurrentTest("hv-publish");
    random_ = MakeSeededRandomForTesting(42);
    secret_ = GenerateServerSecret(*random_);
    publisher_ = GeneratePublisherKeys(*random_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::vector<std::uint8_t> ReadAll(const std::filesystem::path& path) {
    return ReadFileBytes(path, std::size_t{1} << 30).value();
  }
  static void WriteAll(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }

  std::filesystem::path dir_;
  std::unique_ptr<RandomSource> random_;
  ServerSecret secret_;
  PublisherKeyPair publisher_;
};

// `count` entries with uniformly random hashes (distinct base keys with overwhelming odds).
inline std::vector<PublishedEntry> RandomEntries(std::size_t count, std::uint64_t seed) {
  auto random = MakeSeededRandomForTesting(seed);
  std::vector<PublishedEntry> entries(count);
  for (auto& entry : entries) {
    for (auto& word : entry.hash.words) word = static_cast<std::uint16_t>(random->NextU64());
    entry.quality = 100;
    entry.sources = {"a", "b"};
  }
  return entries;
}

}  // namespace hashveil::hashdb::testing
