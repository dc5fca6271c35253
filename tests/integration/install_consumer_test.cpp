// `cmake --install` into a scratch prefix, then a project outside the tree builds against it
// twice, with find_package(hashveil) and with pkg-config (static libraries: --static), and each
// build scans a member image whose voucher the server opens. Both for this build and for the
// device-only build beside it (no OpenCV: what an app links).
#include <gtest/gtest.h>

#include "api_files.h"
#include "support/cli_runner.h"
#include "hashveil/common/secret_file.h"
#include "hashveil/version.h"

namespace hashveil::testing {
namespace {

struct InstalledBuild {
  const char* name;
  const char* build_dir;
  bool has_cli;  // the device-only build has no tools
};
void PrintTo(const InstalledBuild& build, std::ostream* out) { *out << build.name; }

class InstallConsumerTest : public ScannerTest,
                            public ::testing::WithParamInterface<InstalledBuild> {
 protected:
  // The C ABI keeps the default privacy floor: a DB at its synthetic rate.
  InstallConsumerTest() { synthetic_rate_ppm_ = psi::PrivacyFloor{}.min_synthetic_rate_ppm; }

  CliRun Shell(const std::string& command) {
    return RunCli("sh -c", "'" + command + "'", dir_ / "stderr.txt");
  }
  // Runs a consumer binary on a member image for `account` and opens the voucher it wrote.
  void ScanWith(const std::filesystem::path& consumer, const std::string& account) {
    const auto voucher = dir_ / (account + ".voucher");
    const CliRun run = Shell(consumer.string() + " " + db_path_.string() + " " +
                             (dir_ / "publisher.key.pub").string() + " " +
                             (dir_ / (account + ".state")).string() + " " +
                             WriteAccountKey(account, dir_).string() + " " +
                             WritePng(members_[5], dir_ / "member.png").string() + " " +
                             voucher.string());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    auto bytes = ReadFileBytes(voucher, 1 << 20);
    ASSERT_TRUE(bytes.ok());
    EXPECT_TRUE(!Open(*bytes, account).candidates.empty());
  }
};

TEST_P(InstallConsumerTest, InstalledPackageBuildsAndScansWithCMakeAndPkgConfig) {
  const auto prefix = dir_ / "prefix";
  const auto libdir = prefix / HASHVEIL_INSTALL_LIBDIR;
  CliRun run = Shell("cmake --install " + std::string(GetParam().build_dir) + " --prefix " +
                     prefix.string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const auto& file : {prefix / "include/hashveil/scanner.h",
                           prefix / "include/hashveil/hashveil.h",
                           prefix / "include/hashveil/version.h", libdir / "libhashveil.a",
                           libdir / "cmake/hashveil/hashveilConfig.cmake",
                           libdir / "cmake/hashveil/hashveilConfigVersion.cmake",
                           libdir / "pkgconfig/hashveil.pc"}) {
    EXPECT_TRUE(std::filesystem::exists(file)) << file.lexically_relative(prefix);
  }
  if (GetParam().has_cli) {  // the CLI is installed too, and runs from the prefix
    run = Shell((prefix / "bin" / "hashveil").string() + " db build --help");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.out.find("--out"), std::string::npos) << run.out;
  } else {  // nothing of the publisher's side or of OpenCV
    EXPECT_FALSE(std::filesystem::exists(prefix / "include/hashveil/hashdb/db_builder.h"));
    run = Shell("grep -il opencv " + (libdir / "pkgconfig/hashveil.pc").string() + " " +
                (libdir / "cmake/hashveil/hashveilTargets.cmake").string());
    EXPECT_EQ(run.out, "") << "these name OpenCV: " << run.out;
  }

  const std::string consumer_src = HASHVEIL_SOURCE_DIR "/tests/integration/consumer";
  const auto cmake_build = dir_ / "cmake-build";
  run = Shell("cmake -S " + consumer_src + " -B " + cmake_build.string() +
              " -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=" HASHVEIL_CXX_COMPILER
              " '-DCMAKE_CXX_FLAGS=" HASHVEIL_CONSUMER_FLAGS "'"
              " '-DCMAKE_EXE_LINKER_FLAGS=" HASHVEIL_CONSUMER_FLAGS "'"
              " -DCMAKE_PREFIX_PATH=" + prefix.string() + " && cmake --build " +
              cmake_build.string());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  ScanWith(cmake_build / "consumer", "cmake-user");

  const std::string pkg_config = "PKG_CONFIG_PATH=" + (libdir / "pkgconfig").string() + " pkg-config";
  run = Shell(pkg_config + " --modversion hashveil");
  EXPECT_EQ(run.out, HASHVEIL_VERSION_STRING "\n") << run.err;
  const auto pc_consumer = dir_ / "pkg-config-consumer";
  run = Shell(HASHVEIL_CXX_COMPILER " -std=c++20 -O1 " HASHVEIL_CONSUMER_FLAGS " " + consumer_src +
              "/consumer.cpp -o " +
              pc_consumer.string() + " $(" + pkg_config + " --static --cflags --libs hashveil)");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ScanWith(pc_consumer, "pkg-config-user");
}

INSTANTIATE_TEST_SUITE_P(Builds, InstallConsumerTest,
                         ::testing::Values(InstalledBuild{"Full", HASHVEIL_BUILD_DIR, true},
                                           InstalledBuild{"DeviceOnly", HASHVEIL_DEVICE_BUILD_DIR,
                                                          false}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hashveil::testing
