// The fixture shared by the rootfs root tests: a busybox rootfs in a
// temporary bundle, a host sentinel the container must never reach, and a
// check that the test's own mount namespace is unchanged afterwards.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "runtime/rootfs/root_test_util.h"
#include "runtime/rootfs/rootfs.h"

namespace berth::rootfs {

namespace fs = std::filesystem;

// The child's report is "" on success, else the first failed check.
#define EXPECT_CHILD_OK(report)                          \
  do {                                                   \
    std::string child_report_ = (report);                \
    EXPECT_TRUE(child_report_.empty()) << child_report_; \
  } while (0)

inline spec::Mount M(std::string dest, std::string type, std::string source,
                     std::vector<std::string> options) {
  spec::Mount m;
  m.destination = std::move(dest);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  return m;
}

// The mounts of `berth spec`'s default config.
inline std::vector<spec::Mount> DefaultMounts() {
  return {
      M("/proc", "proc", "proc", {}),
      M("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      M("/dev/pts", "devpts", "devpts",
        {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      M("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      M("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      M("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      M("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  };
}

class RootfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::RunningAsRoot()) GTEST_SKIP() << "needs root for mount namespaces";
    ASSERT_FALSE(dir_.path().empty());
    bundle_ = dir_.path();
    rootfs_ = bundle_ + "/rootfs";
    Status made = testing::MakeBusyboxRootfs(rootfs_);
    ASSERT_TRUE(made.ok()) << made.error().ToString();
    config_.root = spec::Root{"rootfs", false};
    config_.linux_.emplace();
    config_.linux_->namespaces = {{spec::NamespaceType::mount, ""}};
    options_.rootfs = rootfs_;
    options_.bundle = bundle_;
    // A host file the container must never reach.
    sentinel_dir_ = bundle_ + "/host-only";
    fs::create_directories(sentinel_dir_);
    testing::WriteFile(sentinel_dir_ + "/sentinel", "host secret");
    host_mountinfo_ = testing::MountInfo();
  }

  // Every test must leave the test's (host) mount namespace as it found it.
  void TearDown() override {
    if (!testing::RunningAsRoot()) return;
    EXPECT_EQ(testing::MountInfo(), host_mountinfo_) << "a mount leaked to the host namespace";
    EXPECT_EQ(testing::ReadFile(sentinel_dir_ + "/sentinel"), "host secret");
  }

  std::string Run(const std::function<std::string()>& body) { return testing::RunInChild(body, CLONE_NEWNS); }

  testing::TempDir dir_;
  std::string bundle_, rootfs_, sentinel_dir_, host_mountinfo_;
  spec::Config config_;
  RootfsOptions options_;
};

}  // namespace berth::rootfs
