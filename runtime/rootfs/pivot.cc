#include "runtime/rootfs/pivot.h"
#include "runtime/base/syscalls.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "runtime/base/unique_fd.h"

namespace berth::rootfs {

using base::UniqueFd;

Status PivotRoot(const std::string& rootfs) {
  int old_raw = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (old_raw < 0) return Error::Sys("open /");
  UniqueFd old_root(old_raw);
  int new_raw = open(rootfs.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (new_raw < 0) return Error::Sys("open rootfs " + rootfs);
  UniqueFd new_root(new_raw);
  if (fchdir(new_root.get()) != 0) return Error::Sys("chdir rootfs");
  // With new_root == put_old the old root ends up mounted on top of the new
  // one at "/"; it is reached through old_root's fd and detached below.
  if (sys::PivotRoot(".", ".") != 0) return Error::Sys("pivot_root " + rootfs);
  if (fchdir(old_root.get()) != 0) return Error::Sys("chdir old root");
  // Slave first so the detach does not unmount anything on the host.
  if (mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0)
    return Error::Sys("make old root rslave");
  if (umount2(".", MNT_DETACH) != 0) return Error::Sys("detach old root");
  if (chdir("/") != 0) return Error::Sys("chdir /");
  return Ok();
}

Status MoveRoot(const std::string& rootfs) {
  if (chdir(rootfs.c_str()) != 0) return Error::Sys("chdir rootfs " + rootfs);
  if (mount(rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0) return Error::Sys("move rootfs to /");
  if (chroot(".") != 0) return Error::Sys("chroot rootfs");
  if (chdir("/") != 0) return Error::Sys("chdir /");
  return Ok();
}

Status ChrootInto(const std::string& rootfs) {
  if (chdir(rootfs.c_str()) != 0) return Error::Sys("chdir rootfs " + rootfs);
  if (chroot(".") != 0) return Error::Sys("chroot rootfs " + rootfs);
  if (chdir("/") != 0) return Error::Sys("chdir /");
  return Ok();
}

}  // namespace berth::rootfs
