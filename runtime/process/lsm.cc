#include "runtime/process/lsm.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace berth::process {
namespace {

bool OnFilesystem(int fd, long magic) {
  struct statfs fs;
  return fstatfs(fd, &fs) == 0 && fs.f_type == magic;
}

// The first bytes of a small file; nullopt when it cannot be read.
std::optional<std::string> ReadSmall(const std::string& path, long required_magic) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  if (required_magic != 0 && !OnFilesystem(fd, required_magic)) {
    close(fd);
    return std::nullopt;
  }
  char buf[32];
  ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

// The id of the mount dirfd/path lives on.
std::optional<uint64_t> MountId(int dirfd, const char* path, int flags) {
  struct statx st;
  if (statx(dirfd, path, flags, STATX_MNT_ID, &st) != 0 || !(st.stx_mask & STATX_MNT_ID))
    return std::nullopt;
  return st.stx_mnt_id;
}

Status WriteAttr(const std::string& path, const std::string& value, const LsmPaths& paths,
                 const std::string& what) {
  int fd = open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Error::Sys("set " + what + ": open " + path);
  if (paths.verify_filesystems) {
    if (!OnFilesystem(fd, PROC_SUPER_MAGIC)) {
      close(fd);
      return Error(EXDEV, "set " + what + ": " + path + " is not on procfs");
    }
    auto file_mount = MountId(fd, "", AT_EMPTY_PATH);
    auto proc_mount = MountId(AT_FDCWD, paths.proc_root.c_str(), 0);
    if (!file_mount || !proc_mount || *file_mount != *proc_mount) {
      close(fd);
      return Error(EXDEV, "set " + what + ": " + path + " is overmounted (not on the " +
                              paths.proc_root + " mount)");
    }
  }
  ssize_t n = write(fd, value.data(), value.size());
  int saved = errno;
  close(fd);
  if (n != static_cast<ssize_t>(value.size()))
    return Error(n < 0 ? saved : EIO, "set " + what + ": write " + path);
  return Ok();
}

}  // namespace

bool AppArmorEnabled(const LsmPaths& paths) {
  auto value = ReadSmall(paths.apparmor_enabled, paths.verify_filesystems ? SYSFS_MAGIC : 0);
  return value && !value->empty() && (*value)[0] == 'Y';
}

bool SelinuxEnabled(const LsmPaths& paths) {
  return ReadSmall(paths.selinux_enforce, paths.verify_filesystems ? SELINUX_MAGIC : 0)
      .has_value();
}

Status ApplyLsmLabels(const spec::Process& process, const LsmPaths& paths) {
  if (!process.apparmorProfile.empty()) {
    const std::string what = "apparmor profile " + process.apparmorProfile;
    if (!AppArmorEnabled(paths))
      return Error(EOPNOTSUPP, what + " requested but AppArmor is not enabled");
    // Prefer the AppArmor-specific attribute (stacked LSMs); fall back to
    // the shared one on kernels without it.
    const std::string& target =
        access(paths.apparmor_exec.c_str(), F_OK) == 0 ? paths.apparmor_exec : paths.attr_exec;
    BERTH_TRY(WriteAttr(target, "exec " + process.apparmorProfile, paths, what));
  }
  if (!process.selinuxLabel.empty()) {
    const std::string what = "selinux label " + process.selinuxLabel;
    if (!SelinuxEnabled(paths))
      return Error(EOPNOTSUPP, what + " requested but SELinux is not enabled");
    BERTH_TRY(WriteAttr(paths.attr_exec, process.selinuxLabel, paths, what));
  }
  return Ok();
}

Status ApplyLsmLabels(const spec::Process& process) { return ApplyLsmLabels(process, LsmPaths{}); }

}  // namespace berth::process
