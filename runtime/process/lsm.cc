#include "runtime/process/lsm.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "runtime/process/procfs_file.h"

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

Status WriteAttr(const std::string& path, const std::string& value, const LsmPaths& paths,
                 const std::string& what) {
  int fd = -1;
  if (paths.verify_filesystems) {
    auto opened = OpenVerifiedProcFile(path, O_WRONLY, paths.proc_root);
    if (!opened) return std::move(opened).error().Context("set " + what);
    fd = *opened;
  } else {
    fd = open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Error::Sys("set " + what + ": open " + path);
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
  return ReadSmall(paths.selinux_enforce, paths.verify_filesystems ? SELINUX_MAGIC : 0).has_value();
}

Status ApplyLsmLabels(const spec::Process& process, const LsmPaths& paths) {
  if (!process.apparmorProfile.empty()) {
    const std::string what = "apparmor profile " + process.apparmorProfile;
    if (!AppArmorEnabled(paths)) return Error(EOPNOTSUPP, what + " requested but AppArmor is not enabled");
    // Prefer the AppArmor-specific attribute (stacked LSMs); fall back to
    // the shared one on kernels without it.
    const std::string& target =
        access(paths.apparmor_exec.c_str(), F_OK) == 0 ? paths.apparmor_exec : paths.attr_exec;
    BERTH_TRY(WriteAttr(target, "exec " + process.apparmorProfile, paths, what));
  }
  if (!process.selinuxLabel.empty()) {
    const std::string what = "selinux label " + process.selinuxLabel;
    if (!SelinuxEnabled(paths)) return Error(EOPNOTSUPP, what + " requested but SELinux is not enabled");
    BERTH_TRY(WriteAttr(paths.attr_exec, process.selinuxLabel, paths, what));
  }
  return Ok();
}

Status ApplyLsmLabels(const spec::Process& process) { return ApplyLsmLabels(process, LsmPaths{}); }

}  // namespace berth::process
