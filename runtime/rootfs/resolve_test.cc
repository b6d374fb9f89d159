// Beneath-root resolution on a plain temporary directory (no root needed).
#include "runtime/rootfs/resolve.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace berth::rootfs {
namespace {

namespace fs = std::filesystem;

class ResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-resolve-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    root_ = base_ / "rootfs";
    outside_ = base_ / "outside";
    fs::create_directories(root_ / "etc");
    fs::create_directories(outside_);
    std::ofstream(outside_ / "sentinel") << "host";
    int fd = open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    root_fd_ = UniqueFd(fd);
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_, root_, outside_;
  UniqueFd root_fd_;
};

TEST_F(ResolveTest, CleanPath) {
  EXPECT_EQ(CleanPath("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(CleanPath(""), "/");
  EXPECT_EQ(CleanPath("/"), "/");
  EXPECT_EQ(CleanPath("a/../b"), "/b");
  EXPECT_EQ(CleanPath("/x/../../../proc/"), "/proc");
  EXPECT_EQ(CleanPath("/.."), "/");
}

TEST_F(ResolveTest, CreatesMissingDirectoriesAndFile) {
  auto dir = CreateInRoot(root_fd_.get(), "/a/b/c", TargetKind::kDirectory);
  ASSERT_TRUE(dir.ok()) << dir.error().ToString();
  EXPECT_TRUE(fs::is_directory(root_ / "a/b/c"));
  auto file = CreateInRoot(root_fd_.get(), "/x/y/file", TargetKind::kFile);
  ASSERT_TRUE(file.ok()) << file.error().ToString();
  EXPECT_TRUE(fs::is_regular_file(root_ / "x/y/file"));
}

TEST_F(ResolveTest, AbsoluteSymlinkStaysInside) {
  fs::create_directory_symlink(outside_, root_ / "escape");
  auto fd = CreateInRoot(root_fd_.get(), "/escape/target", TargetKind::kDirectory);
  ASSERT_TRUE(fd.ok()) << fd.error().ToString();
  // outside_ is absolute: it is re-rooted under the rootfs.
  EXPECT_TRUE(fs::is_directory(root_ / outside_.relative_path() / "target"));
  EXPECT_FALSE(fs::exists(outside_ / "target"));
}

TEST_F(ResolveTest, DotDotSymlinkStaysInside) {
  fs::create_directory_symlink("../../../../../outside", root_ / "etc/up");
  auto fd = CreateInRoot(root_fd_.get(), "/etc/up/made", TargetKind::kFile);
  ASSERT_TRUE(fd.ok()) << fd.error().ToString();
  EXPECT_TRUE(fs::is_regular_file(root_ / "outside/made"));
  EXPECT_FALSE(fs::exists(outside_ / "made"));
  // The existing-path fast path (openat2) resolves the same way.
  auto again = OpenInRoot(root_fd_.get(), "/etc/up/made", O_RDONLY);
  ASSERT_TRUE(again.ok());
  struct stat a, b;
  ASSERT_EQ(fstat(again->get(), &a), 0);
  ASSERT_EQ(stat((root_ / "outside/made").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
}

TEST_F(ResolveTest, DanglingSymlinkCreatesInsideOnly) {
  const fs::path host_target = base_ / "dangling-host-target";
  fs::create_symlink(host_target, root_ / "dangle");
  auto fd = CreateInRoot(root_fd_.get(), "/dangle", TargetKind::kFile);
  ASSERT_TRUE(fd.ok()) << fd.error().ToString();
  EXPECT_FALSE(fs::exists(host_target));
  EXPECT_TRUE(fs::is_regular_file(root_ / host_target.relative_path()));
}

TEST_F(ResolveTest, SymlinkLoopIsAnError) {
  fs::create_symlink("/loop2", root_ / "loop1");
  fs::create_symlink("/loop1", root_ / "loop2");
  auto fd = CreateInRoot(root_fd_.get(), "/loop1/x", TargetKind::kDirectory);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().code(), ELOOP);
}

TEST_F(ResolveTest, FileInTheWayIsAnError) {
  std::ofstream(root_ / "etc/file") << "x";
  auto fd = CreateInRoot(root_fd_.get(), "/etc/file/sub", TargetKind::kDirectory);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().code(), ENOTDIR);
}

TEST_F(ResolveTest, NoSymlinksRefusesSymlinkedProc) {
  fs::create_directory_symlink("/etc", root_ / "proc");
  auto fd = OpenInRootNoSymlinks(root_fd_.get(), "/proc", O_PATH | O_DIRECTORY);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().code(), ELOOP);
}

TEST_F(ResolveTest, MagicLinksAreRefused) {
  // /proc/self/root inside a rootfs pointing at the real /proc would be a way out.
  fs::create_directory_symlink("/proc", root_ / "realproc");
  auto inside = OpenInRoot(root_fd_.get(), "/realproc", O_PATH);
  EXPECT_FALSE(inside.ok());  // no /proc in this rootfs
  int host_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(host_root, 0);
  UniqueFd h(host_root);
  auto magic = OpenInRoot(h.get(), "/proc/self/root", O_PATH);
  ASSERT_FALSE(magic.ok());
  EXPECT_EQ(magic.error().code(), ELOOP);
}

}  // namespace
}  // namespace berth::rootfs
