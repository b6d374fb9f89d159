#include "bench/startup/mount_namespace.h"

#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/vfs.h>

namespace berth::bench {

namespace {

bool IsFilesystem(const char* path, long magic) {
  struct statfs fs {};
  return statfs(path, &fs) == 0 && static_cast<long>(fs.f_type) == magic;
}

}  // namespace

Result<std::string> EnterBenchMountNamespace(bool hide_cgroup2) {
  if (unshare(CLONE_NEWNS) != 0) return Error::Sys("unshare(CLONE_NEWNS)");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
    return Error::Sys("make / rslave");

  constexpr const char* kUnified = "/sys/fs/cgroup/unified";
  bool hybrid = !IsFilesystem("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC) &&
                IsFilesystem(kUnified, CGROUP2_SUPER_MAGIC);
  if (!hybrid) {
    return std::string(IsFilesystem("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC)
                           ? "private mount namespace; host is cgroup v2"
                           : "private mount namespace; host is cgroup v1");
  }
  if (!hide_cgroup2) return std::string("private mount namespace; hybrid cgroups left visible");
  if (umount2(kUnified, MNT_DETACH) != 0) return Error::Sys(std::string("umount ") + kUnified);
  return std::string(
      "private mount namespace; hybrid host: /sys/fs/cgroup/unified (cgroup2) detached, "
      "all runtimes see cgroup v1 only");
}

}  // namespace berth::bench
