// A fresh source store in a temporary directory, and helpers to write hash lists for it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "hashveil/hashdb/source_store.h"
#include "support/synthetic_hashes.h"

namespace hashveil::hashdb {

const SourceInfo kUs{"us-list", "Org US", "US"};
const SourceInfo kGb{"gb-list", "Org GB", "gb"};  // stored upper-cased

class SourceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "hv-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto store = SourceStore::Open(dir_ / "store.sqlite");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path WriteList(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::string Lines(const std::vector<matcher::PdqHash>& hashes, const std::string& suffix = "") {
    std::string text;
    for (const auto& hash : hashes) text += hash.ToHex() + suffix + "\n";
    return text;
  }

  std::vector<SourceSummary> Sources() {
    auto sources = store_->ListSources();
    EXPECT_TRUE(sources.ok());
    return sources.ok() ? *sources : std::vector<SourceSummary>{};
  }

  std::mt19937_64 rng_{1};
  std::filesystem::path dir_;
  std::unique_ptr<SourceStore> store_;
};

}  // namespace hashveil::hashdb
