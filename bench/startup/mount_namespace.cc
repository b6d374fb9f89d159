#include "bench/startup/mount_namespace.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace berth::bench {

namespace {

bool IsFilesystem(const char* path, long magic) {
  struct statfs fs {};
  return statfs(path, &fs) == 0 && static_cast<long>(fs.f_type) == magic;
}

}  // namespace

Result<BenchMountNamespace> EnterBenchMountNamespace(bool hide_cgroup2) {
  BenchMountNamespace result;
  result.host_mount_ns_fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (result.host_mount_ns_fd < 0) return Error::Sys("open /proc/self/ns/mnt");
  auto fail = [&](const char* what) {
    Error e = Error::Sys(what);
    close(result.host_mount_ns_fd);
    return e;
  };
  if (unshare(CLONE_NEWNS) != 0) return fail("unshare(CLONE_NEWNS)");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) return fail("make / rslave");

  constexpr const char* kUnified = "/sys/fs/cgroup/unified";
  bool v2 = IsFilesystem("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC);
  bool hybrid = !v2 && IsFilesystem(kUnified, CGROUP2_SUPER_MAGIC);
  if (!hybrid) {
    result.description =
        v2 ? "private mount namespace; host is cgroup v2" : "private mount namespace; host is cgroup v1";
  } else if (!hide_cgroup2) {
    result.description = "private mount namespace; hybrid cgroups left visible";
  } else {
    if (umount2(kUnified, MNT_DETACH) != 0) return fail("umount /sys/fs/cgroup/unified");
    result.cgroup2_hidden = true;
    result.description =
        "private mount namespace; hybrid host: /sys/fs/cgroup/unified (cgroup2) detached, "
        "all runtimes see cgroup v1 only";
  }
  return result;
}

}  // namespace berth::bench
