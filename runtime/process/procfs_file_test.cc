#include "runtime/process/procfs_file.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "runtime/process/testing/fork_child.h"

namespace berth::process {
namespace {

TEST(OpenVerifiedProcFile, GenuineProcFileOpens) {
  auto fd = OpenVerifiedProcFile("/proc/self/oom_score_adj", O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.error().ToString();
  EXPECT_EQ(fcntl(*fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  close(*fd);
}

TEST(OpenVerifiedProcFile, FileOutsideProcfsIsRefused) {
  char path[] = "/tmp/berth-procfs-XXXXXX";
  int tmp = mkstemp(path);
  ASSERT_GE(tmp, 0);
  close(tmp);
  auto fd = OpenVerifiedProcFile(path, O_WRONLY);
  unlink(path);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().code(), EXDEV);
  EXPECT_EQ(fd.error().message(), std::string(path) + " is not on procfs");
}

TEST(OpenVerifiedProcFile, MissingFileIsAnErrorNamingIt) {
  auto fd = OpenVerifiedProcFile("/proc/self/no-such-file", O_RDONLY);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().code(), ENOENT);
  EXPECT_EQ(fd.error().message(), "open /proc/self/no-such-file");
}

TEST(OpenVerifiedProcFile, ProcFileBoundOverTheTargetIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a mount namespace";
  auto outcome = berth::testing::RunInChild([] {
    if (unshare(CLONE_NEWNS) != 0) return std::string("unshare");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return std::string("private");
    // A procfs file, so the filesystem check alone would pass.
    if (mount("/proc/self/comm", "/proc/self/oom_score_adj", nullptr, MS_BIND, nullptr) != 0)
      return std::string("bind");
    auto fd = OpenVerifiedProcFile("/proc/self/oom_score_adj", O_WRONLY);
    return fd.ok() ? std::string("opened") : fd.error().ToString();
  });
  EXPECT_EQ(outcome.output,
            "/proc/self/oom_score_adj is overmounted (not on the /proc mount): "
            "Invalid cross-device link");
}

}  // namespace
}  // namespace berth::process
