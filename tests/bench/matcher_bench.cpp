// PDQ end-to-end speed (bytes in memory -> hash) in fast and reference modes on real photos,
// baseline and progressive JPEGs apart, with OpenCV contrib's img_hash::PHash (full decode +
// hash) as a peer in the same run. Prints figures; asserts nothing.
//
//   matcher_bench PHOTO...              the table and the summary (peak RSS: matcher_bench_rss)
//   matcher_bench --messenger PHOTO...  per image CPU ms, page faults (getrusage) and peak RSS,
//       fast vs reference, on each photo as it is and on 1600 px baseline and progressive copies
//       made here (OpenCV, quality 85, 4:2:0): the messenger case, many images in one process.
//       Each mode runs in a fresh process (`--cost`), as an app runs one of them: in one process
//       a reference decode's large buffers raise glibc's dynamic mmap and trim thresholds and
//       hide the cost of the other mode giving its memory back.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgproc.hpp>
#include <sys/resource.h>
#include <unistd.h>

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

// CPU time (user + system) and minor page faults of this process so far.
struct Usage {
  double cpu_ms = 0;
  long faults = 0;
};

Usage UsageNow() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return {ms(usage.ru_utime) + ms(usage.ru_stime), usage.ru_minflt};
}

// The photo's longer side scaled to `side` (area interpolation), JPEG quality 85 (4:2:0),
// baseline or progressive (libjpeg's standard script): as a messenger app re-encodes before sending.
std::vector<std::uint8_t> Messenger(const cv::Mat& photo, int side, bool progressive) {
  const double scale = static_cast<double>(side) / std::max(photo.cols, photo.rows);
  cv::Mat resized;
  cv::resize(photo, resized, cv::Size(), scale, scale, cv::INTER_AREA);
  std::vector<std::uint8_t> out;
  cv::imencode(".jpg", resized, out,
               {cv::IMWRITE_JPEG_QUALITY, 85, cv::IMWRITE_JPEG_PROGRESSIVE, progressive ? 1 : 0});
  return out;
}

struct ModeCost {
  double cpu_ms = 0;  // per image
  double faults = 0;  // per image
  double peak_mb = 0; // the process's peak RSS
};

// `--cost MODE COUNT FILE`, in a fresh process (so no earlier decode, in this mode or the other,
// has tuned the allocator): hashes FILE once, then COUNT times; prints CPU ms and minor page
// faults per image of the COUNT, and the process's peak RSS in MB.
int CostChild(const char* mode_name, int count, const char* path) {
  const DecodeMode mode = std::string(mode_name) == "reference" ? DecodeMode::kReference : DecodeMode::kFast;
  const auto bytes = hashveil::ReadFileBytes(path, std::size_t{1} << 30);
  if (!bytes.ok() || count < 1) return 2;
  auto hash = [&] {
    auto result = hashveil::matcher::HashEncodedImage(*bytes, {.mode = mode});
    if (!result.ok()) std::fprintf(stderr, "hashing failed: %s\n", result.status().ToString().c_str());
  };
  hash();  // warm-up: code paged in, one-time tables
  const Usage start = UsageNow();
  for (int n = 0; n < count; ++n) hash();
  const Usage end = UsageNow();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("%f %f %f\n", (end.cpu_ms - start.cpu_ms) / count,
              static_cast<double>(end.faults - start.faults) / count, usage.ru_maxrss / 1024.0);
  return 0;
}

// Runs CostChild in a fresh process of this executable.
ModeCost Cost(const std::filesystem::path& file, const char* mode, int count) {
  const std::string command = std::filesystem::read_symlink("/proc/self/exe").string() + " --cost " + mode + " " +
                              std::to_string(count) + " '" + file.string() + "'";
  ModeCost cost;
  if (FILE* child = popen(command.c_str(), "r")) {
    if (std::fscanf(child, "%lf %lf %lf", &cost.cpu_ms, &cost.faults, &cost.peak_mb) != 3) cost = {};
    pclose(child);
  }
  return cost;
}

// Per image CPU, page faults and peak RSS, fast vs reference, each mode in its own process.
int Messenger(int argc, char** argv) {
  struct Case {
    std::string name, kind;
    std::filesystem::path file;
  };
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("hv-matcher-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<Case> cases;
  for (int a = 0; a < argc; ++a) {
    const cv::Mat photo = cv::imread(argv[a], cv::IMREAD_COLOR);
    if (photo.empty()) continue;
    const std::string name = std::filesystem::path(argv[a]).stem().string().substr(0, 24);
    for (const bool progressive : {false, true}) {
      const std::vector<std::uint8_t> bytes = Messenger(photo, 1600, progressive);
      const std::filesystem::path file = dir / (name + (progressive ? "-1600-prog.jpg" : "-1600-base.jpg"));
      std::FILE* out = std::fopen(file.c_str(), "wb");
      if (out == nullptr) continue;
      std::fwrite(bytes.data(), 1, bytes.size(), out);
      std::fclose(out);
      cases.push_back({name, progressive ? "1600 prog" : "1600 base", file});
    }
    cases.push_back({name, "", argv[a]});
  }
  struct Class {
    int images = 0;
    ModeCost fast, reference;
  };
  std::vector<std::pair<std::string, Class>> classes;
  std::printf("%-24s %-10s %9s %8s %7s %7s %8s %7s %7s %8s\n", "photo", "kind", "size", "fast ms", "faults",
              "RSS MB", "ref ms", "faults", "RSS MB", "fast/ref");
  for (Case& c : cases) {
    const auto bytes = hashveil::ReadFileBytes(c.file, std::size_t{1} << 30);
    const auto header = bytes.ok() ? hashveil::matcher::ReadImageHeader(*bytes)
                                   : hashveil::Result<hashveil::matcher::ImageHeader>(bytes.status());
    if (!header.ok()) continue;
    if (c.kind.empty()) c.kind = header->progressive ? "orig prog" : "orig base";
    const double megapixels = static_cast<double>(header->width) * header->height / 1e6;
    const int count = megapixels > 4 ? 12 : 60;
    const ModeCost fast = Cost(c.file, "fast", count);
    const ModeCost reference = Cost(c.file, "reference", count);
    char size[32];
    std::snprintf(size, sizeof size, "%llux%llu", static_cast<unsigned long long>(header->width),
                  static_cast<unsigned long long>(header->height));
    std::printf("%-24s %-10s %9s %8.2f %7.0f %7.1f %8.2f %7.0f %7.1f %8.2f\n", c.name.c_str(), c.kind.c_str(),
                size, fast.cpu_ms, fast.faults, fast.peak_mb, reference.cpu_ms, reference.faults,
                reference.peak_mb, fast.cpu_ms / reference.cpu_ms);
    const std::string key = c.kind.starts_with("orig") && megapixels >= 10 ? "10+ MP" : c.kind;
    auto it = std::find_if(classes.begin(), classes.end(), [&](const auto& p) { return p.first == key; });
    if (it == classes.end()) it = classes.insert(classes.end(), {key, Class{}});
    Class& k = it->second;
    ++k.images;
    k.fast.cpu_ms += fast.cpu_ms, k.fast.faults += fast.faults;
    k.fast.peak_mb = std::max(k.fast.peak_mb, fast.peak_mb);
    k.reference.cpu_ms += reference.cpu_ms, k.reference.faults += reference.faults;
    k.reference.peak_mb = std::max(k.reference.peak_mb, reference.peak_mb);
  }
  std::filesystem::remove_all(dir);
  std::printf("\nmean per image, each mode in a fresh process (CPU = user + system from getrusage; faults = "
              "minor page faults; RSS = the largest peak):\n");
  for (const auto& [key, k] : classes) {
    std::printf("%-10s %2d images  fast %6.2f ms %6.0f faults %5.1f MB  reference %6.2f ms %6.0f faults %5.1f MB"
                "  fast/reference %.2f (%.2fx faster)\n",
                key.c_str(), k.images, k.fast.cpu_ms / k.images, k.fast.faults / k.images, k.fast.peak_mb,
                k.reference.cpu_ms / k.images, k.reference.faults / k.images, k.reference.peak_mb,
                k.fast.cpu_ms / k.reference.cpu_ms, k.reference.cpu_ms / k.fast.cpu_ms);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--messenger") return Messenger(argc - 2, argv + 2);
  if (argc == 5 && std::string(argv[1]) == "--cost") return CostChild(argv[2], std::atoi(argv[3]), argv[4]);
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
