#include "runtime/rootfs/paths.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/resolve.h"

namespace berth::rootfs {
namespace {

// The container's /dev/null, refused unless it is the real null device.
Result<UniqueFd> OpenVerifiedDevNull(int root_fd) {
  auto opened = OpenInRoot(root_fd, "/dev/null", O_PATH | O_NOFOLLOW);
  if (!opened.ok()) return std::move(opened).error().Context("open /dev/null to mask paths");
  UniqueFd fd = std::move(opened).value();
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return Error::Sys("stat /dev/null");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
    return Error(EPERM,
                 "/dev/null in the container is not the null device (char 1:3); "
                 "refusing to use it to mask paths");
  return fd;
}

// Missing paths are skipped; anything else is an error.
Result<UniqueFd> OpenExisting(int root_fd, const std::string& path, bool& missing) {
  auto fd = OpenInRoot(root_fd, path, O_PATH);
  missing = !fd.ok() && (fd.error().code() == ENOENT || fd.error().code() == ENOTDIR);
  return fd;
}

}  // namespace

Status MaskPath(int root_fd, const std::string& path) {
  bool missing = false;
  auto target = OpenExisting(root_fd, path, missing);
  if (missing) return Ok();
  if (!target.ok()) return std::move(target).error().Context("mask " + path);
  struct stat st;
  if (fstat(target->get(), &st) != 0) return Error::Sys("stat " + path);
  UniqueFd cover;
  if (S_ISDIR(st.st_mode)) {
    cover = BERTH_TRY_CTX(
        NewFilesystem("tmpfs", "tmpfs", {}, {"mode=0555"},
                      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC),
        "mask " + path);
  } else {
    auto null = BERTH_TRY_CTX(OpenVerifiedDevNull(root_fd), "mask " + path);
    cover = BERTH_TRY_CTX(CloneTree(null.get(), "", false), "mask " + path);
  }
  BERTH_TRY_CTX(MoveMount(cover.get(), target->get()), "mask " + path);
  return Ok();
}

Status MakeReadonly(int root_fd, const std::string& path) {
  bool missing = false;
  auto target = OpenExisting(root_fd, path, missing);
  if (missing) return Ok();
  if (!target.ok()) return std::move(target).error().Context("read-only " + path);
  auto tree = BERTH_TRY_CTX(CloneTree(target->get(), "", true), "read-only " + path);
  BERTH_TRY_CTX(SetMountAttrs(tree.get(), MOUNT_ATTR_RDONLY, 0, true), "read-only " + path);
  BERTH_TRY_CTX(MoveMount(tree.get(), target->get()), "read-only " + path);
  return Ok();
}

}  // namespace berth::rootfs
