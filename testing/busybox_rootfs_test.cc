#include "testing/busybox_rootfs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace berth::testing {
namespace {

namespace fs = std::filesystem;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string LinkTarget(const std::string& path) {
  std::error_code ec;
  return fs::read_symlink(path, ec).string();
}

mode_t Mode(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

// A stand-in for busybox: a script whose --list names three applets, so the
// test does not depend on the host's busybox build.
class BuildRootfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    base_ = fs::path(tmp ? tmp : "/tmp") / "busybox_rootfs_test";
    fs::remove_all(base_);
    fs::create_directories(base_);
    fake_busybox_ = (base_ / "busybox").string();
    std::ofstream(fake_busybox_) << "#!/bin/sh\n[ \"$1\" = --list ] || exit 3\n"
                                    "printf 'sh\\nls\\nbusybox\\n'\n";
    fs::permissions(fake_busybox_, fs::perms(0755));
    rootfs_ = (base_ / "rootfs").string();
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_;
  std::string fake_busybox_;
  std::string rootfs_;
};

TEST_F(BuildRootfsTest, CopiesBusyboxLinksItsAppletsAndWritesEtc) {
  RootfsLayout layout;
  layout.busybox = fake_busybox_;
  Status st = BuildRootfs(rootfs_, layout);
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(Read(rootfs_ + "/bin/busybox"), Read(fake_busybox_));
  EXPECT_EQ(Mode(rootfs_ + "/bin/busybox"), 0755u);
  // Relative, so they resolve inside the container; busybox itself is no link.
  EXPECT_EQ(LinkTarget(rootfs_ + "/bin/sh"), "busybox");
  EXPECT_EQ(LinkTarget(rootfs_ + "/bin/ls"), "busybox");
  EXPECT_FALSE(fs::is_symlink(rootfs_ + "/bin/busybox"));
  for (const char* d : {"proc", "sys", "dev", "etc", "root", "usr/bin", "var/tmp"})
    EXPECT_TRUE(fs::is_directory(rootfs_ + "/" + d)) << d;
  EXPECT_EQ(Mode(rootfs_ + "/tmp"), 01777u);
  EXPECT_EQ(Mode(rootfs_ + "/var/tmp"), 01777u);
  EXPECT_EQ(Mode(rootfs_ + "/proc"), 0755u);
  EXPECT_NE(Read(rootfs_ + "/etc/passwd").find("root:x:0:0:"), std::string::npos);
  EXPECT_NE(Read(rootfs_ + "/etc/passwd").find("nobody:x:65534:65534:"), std::string::npos);
  EXPECT_NE(Read(rootfs_ + "/etc/group").find("nogroup:x:65534:"), std::string::npos);
  EXPECT_NE(Read(rootfs_ + "/etc/hosts").find("localhost"), std::string::npos);

  // A second build over the first succeeds and replaces the copy.
  std::ofstream(fake_busybox_, std::ios::app) << "# changed\n";
  st = BuildRootfs(rootfs_, layout);
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(Read(rootfs_ + "/bin/busybox"), Read(fake_busybox_));
}

TEST_F(BuildRootfsTest, WithoutAppletsOnlyShAndOnlyTheDirsAsked) {
  RootfsLayout layout;
  layout.busybox = fake_busybox_;
  layout.applets = false;
  layout.dirs = {"bin", "etc", "tmp"};
  layout.etc_files = false;
  Status st = BuildRootfs(rootfs_, layout);
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(LinkTarget(rootfs_ + "/bin/sh"), "busybox");
  EXPECT_FALSE(fs::exists(fs::symlink_status(rootfs_ + "/bin/ls")));
  EXPECT_FALSE(fs::exists(rootfs_ + "/proc"));
  EXPECT_FALSE(fs::exists(rootfs_ + "/etc/passwd"));
}

TEST_F(BuildRootfsTest, NoBusyboxButExtraFiles) {
  RootfsLayout layout;
  layout.busybox = "";
  layout.files = {{"bin/true", fake_busybox_}, {"opt/x/pause", fake_busybox_}};
  Status st = BuildRootfs(rootfs_, layout);
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_FALSE(fs::exists(rootfs_ + "/bin/busybox"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(rootfs_ + "/bin/sh")));
  EXPECT_EQ(Read(rootfs_ + "/bin/true"), Read(fake_busybox_));
  EXPECT_EQ(Mode(rootfs_ + "/opt/x/pause"), 0755u);
}

TEST_F(BuildRootfsTest, ErrorsNameWhatFailed) {
  RootfsLayout layout;
  layout.busybox = (base_ / "missing").string();
  Status st = BuildRootfs(rootfs_, layout);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().ToString().find("open " + layout.busybox), std::string::npos) << st.error().ToString();

  // A busybox whose --list fails.
  std::ofstream(fake_busybox_, std::ios::trunc) << "#!/bin/sh\nexit 3\n";
  layout.busybox = fake_busybox_;
  st = BuildRootfs(rootfs_, layout);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().ToString().find("--list failed"), std::string::npos) << st.error().ToString();
}

}  // namespace
}  // namespace berth::testing
