// PDQ end-to-end speed (bytes in memory -> hash) in fast and reference modes on real photos,
// baseline and progressive JPEGs apart, with OpenCV contrib's img_hash::PHash (full decode +
// hash) as a peer in the same run. Prints figures; asserts nothing.
//
//   matcher_bench PHOTO...    the table and the summary (peak RSS: matcher_bench_rss)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/img_hash.hpp>

#include "hashveil/common/secret_file.h"
#include "hashveil/matcher/pdq_hasher.h"
#include "image_format.h"

namespace {

using hashveil::matcher::DecodeMode;
using Clock = std::chrono::steady_clock;
constexpr int kRepeats = 3;  // median of three

template <typename Fn>
double MedianMs(Fn&& fn) {
  std::vector<double> ms;
  for (int r = 0; r < kRepeats; ++r) {
    const auto start = Clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[kRepeats / 2];
}

struct Totals {
  int images = 0;
  double fast = 0, reference = 0, phash = 0;
  void Add(double f, double r, double p) { ++images; fast += f; reference += r; phash += p; }
  void Print(const char* label) const {
    if (images == 0) return;
    std::printf("%-13s %3d images  fast %7.1f ms  reference %7.1f ms  ratio %5.2fx  PHash %7.1f ms\n", label,
                images, fast / images, reference / images, reference / fast, phash / images);
  }
};

}  // namespace

int main(int argc, char** argv) {
  Totals all, baseline, progressive;
  std::printf("%-45s %11s %5s %8s %8s %8s %6s %4s\n", "photo", "size", "kind", "fast ms", "ref ms", "PHash ms",
              "ratio", "dist");
  for (int a = 1; a < argc; ++a) {
    const auto bytes = hashveil::ReadFileBytes(argv[a], std::size_t{1} << 30);
    const auto header = bytes.ok() ? hashveil::matcher::ReadImageHeader(*bytes)
                                   : hashveil::Result<hashveil::matcher::ImageHeader>(bytes.status());
    if (!header.ok()) continue;
    hashveil::matcher::PdqResult fast_result, reference_result;
    const double fast = MedianMs([&] {
      fast_result = *hashveil::matcher::HashEncodedImage(*bytes, {.mode = DecodeMode::kFast});
    });
    const double reference = MedianMs([&] {
      reference_result = *hashveil::matcher::HashEncodedImage(*bytes, {.mode = DecodeMode::kReference});
    });
    const cv::Ptr<cv::img_hash::PHash> phash = cv::img_hash::PHash::create();
    const double peer = MedianMs([&] {
      const cv::Mat image = cv::imdecode(cv::Mat(1, static_cast<int>(bytes->size()), CV_8U,
                                                 const_cast<std::uint8_t*>(bytes->data())),
                                         cv::IMREAD_COLOR);
      cv::Mat hash;
      phash->compute(image, hash);
    });
    const char* kind = header->format != hashveil::matcher::ImageFormat::kJpeg ? "other"
                       : header->progressive                                  ? "prog"
                                                                              : "base";
    std::printf("%-45s %5llux%-5llu %5s %8.1f %8.1f %8.1f %5.1fx %4d\n",
                std::filesystem::path(argv[a]).filename().string().substr(0, 45).c_str(),
                static_cast<unsigned long long>(header->width), static_cast<unsigned long long>(header->height),
                kind, fast, reference, peer, reference / fast,
                hashveil::matcher::HammingDistance(fast_result.hash, reference_result.hash));
    all.Add(fast, reference, peer);
    (header->progressive ? progressive : baseline).Add(fast, reference, peer);
  }
  std::printf("\nmean per image (median of %d runs each; bytes already in memory):\n", kRepeats);
  all.Print("all");
  baseline.Print("baseline");
  progressive.Print("progressive");
  return 0;
}
