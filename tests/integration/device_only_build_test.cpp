// The device-only build (-DHASHVEIL_DEVICE_ONLY=ON, no OpenCV), built beside this one by
// tests/integration/CMakeLists.txt: what its C example links, that its voucher opens on the
// server, and that it hashes every test image exactly as this build does (both decode modes, the
// margins and the visual derivative a voucher is built from).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "api_files.h"
#include "device/hash_line.h"
#include "hashveil/common/secret_file.h"
#include "support/cli_runner.h"
#include "support/test_paths.h"

namespace hashveil::testing {
namespace {

class DeviceOnlyBuildTest : public ScannerTest {
 protected:
  // The C ABI keeps the default privacy floor: a DB at its synthetic rate.
  DeviceOnlyBuildTest() { synthetic_rate_ppm_ = psi::PrivacyFloor{}.min_synthetic_rate_ppm; }

  CliRun Shell(const std::string& command) {
    return RunCli("sh -c", "'" + command + "'", dir_ / "stderr.txt");
  }
};

// Every image file the tests hold: the PDQ conformance images and the pinned photos.
std::vector<std::filesystem::path> TestImages() {
  std::vector<std::filesystem::path> images;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(PdqVectorsDir())) {
    const std::string extension = entry.path().extension().string();
    if (extension == ".jpg" || extension == ".png" || extension == ".webp")
      images.push_back(entry.path());
  }
  std::sort(images.begin(), images.end());
  return images;
}

TEST_F(DeviceOnlyBuildTest, ItsExampleLinksNoOpenCvAndAtMost25Libraries) {
  const CliRun run = Shell("ldd " HASHVEIL_DEVICE_EXAMPLE);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.find("opencv"), std::string::npos) << run.out;
  const auto libraries = std::count(run.out.begin(), run.out.end(), '\n');
  EXPECT_GE(libraries, 5) << run.out;  // libc, libstdc++, libsodium, ...: ldd did list them
  EXPECT_LE(libraries, 25) << run.out;
}

TEST_F(DeviceOnlyBuildTest, ItsExampleWritesAVoucherTheServerOpens) {
  const auto voucher = dir_ / "member.voucher";
  const CliRun run =
      Shell(std::string(HASHVEIL_DEVICE_EXAMPLE) + " " + db_path_.string() + " " +
            (dir_ / "publisher.key.pub").string() + " " + (dir_ / "alice.state").string() +
            " alice " + WriteAccountKey("alice", dir_).string() + " " +
            WritePng(members_[4], dir_ / "member.png").string() + " " + voucher.string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto bytes = ReadFileBytes(voucher, 1 << 20);
  ASSERT_TRUE(bytes.ok());
  EXPECT_FALSE(Open(*bytes).candidates.empty());
}

TEST_F(DeviceOnlyBuildTest, RefusesBmpAndTiffAsUnsupportedWhereThisBuildHashesThem) {
  // WritePng's cv::imwrite picks the format from the file's extension.
  const auto bmp = WritePng(members_[0], dir_ / "member.bmp");
  const auto tiff = WritePng(members_[0], dir_ / "member.tiff");
  const CliRun run = Shell("printf \"%s\\n%s\\n\" " + bmp.string() + " " + tiff.string() +
                           " | " HASHVEIL_DEVICE_HASHES);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "error=unsupported\nerror=unsupported\n");
  for (const auto& image : {bmp, tiff}) {
    auto bytes = ReadFileBytes(image, 1 << 20);
    ASSERT_TRUE(bytes.ok());
    EXPECT_TRUE(HashLine(*bytes).starts_with("fast=")) << image.filename();
  }
}

TEST_F(DeviceOnlyBuildTest, HashesEveryTestImageAsThisBuildDoes) {
  HV_REQUIRE_PINNED_PHOTOS(photos);
  std::vector<std::filesystem::path> images = TestImages();
  ASSERT_GE(images.size(), 49u);  // 37 JPEG, 7 PNG and 5 WebP vectors
  images.insert(images.end(), photos.begin(), photos.end());
  const auto list = dir_ / "images.txt";
  {
    std::ofstream out(list);
    for (const auto& image : images) out << image.string() << '\n';
  }
  const CliRun run = Shell(std::string(HASHVEIL_DEVICE_HASHES) + " < " + list.string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream device_lines(run.out);
  std::size_t compared = 0, hashed = 0;
  for (const auto& image : images) {
    std::string device_line;
    ASSERT_TRUE(std::getline(device_lines, device_line)) << "fewer lines than images";
    auto bytes = ReadFileBytes(image, std::size_t{1} << 30);
    ASSERT_TRUE(bytes.ok());
    const std::string line = HashLine(*bytes);
    EXPECT_EQ(device_line, line) << image.filename();
    ++compared;
    hashed += line.starts_with("fast=");
  }
  EXPECT_EQ(compared, images.size());
  EXPECT_GE(hashed, images.size() - 5);  // a few vectors are refused (CMYK, bad files) by both
  std::cout << "compared " << compared << " images, " << hashed << " hashed\n";
}

}  // namespace
}  // namespace hashveil::testing
