#include "runtime/process/procfs_file.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <optional>

namespace berth::process {
namespace {

std::optional<uint64_t> MountId(int dirfd, const char* path, int flags) {
  struct statx st;
  if (statx(dirfd, path, flags, STATX_MNT_ID, &st) != 0 || !(st.stx_mask & STATX_MNT_ID)) return std::nullopt;
  return st.stx_mnt_id;
}

}  // namespace

Result<int> OpenVerifiedProcFile(const std::string& path, int flags, const std::string& proc_root) {
  int fd = open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + path);
  struct statfs fs;
  if (fstatfs(fd, &fs) != 0 || fs.f_type != PROC_SUPER_MAGIC) {
    close(fd);
    return Error(EXDEV, path + " is not on procfs");
  }
  auto file_mount = MountId(fd, "", AT_EMPTY_PATH);
  auto proc_mount = MountId(AT_FDCWD, proc_root.c_str(), 0);
  if (!file_mount || !proc_mount || *file_mount != *proc_mount) {
    close(fd);
    return Error(EXDEV, path + " is overmounted (not on the " + proc_root + " mount)");
  }
  return fd;
}

}  // namespace berth::process
