#include "runtime/rootfs/rootfs.h"

namespace berth::rootfs {

Status PrepareRootfs(const spec::Config&, const RootfsOptions&) {
  return Error(ENOSYS, "prepare rootfs: unsupported (in progress)");
}

Status EnterRootfs(const spec::Config&, const RootfsOptions&) {
  return Error(ENOSYS, "enter rootfs: unsupported (in progress)");
}

}  // namespace berth::rootfs
