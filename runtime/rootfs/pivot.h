// Making the rootfs the container's "/".
#pragma once

#include <string>

#include "runtime/base/error.h"

namespace berth::rootfs {

// pivot_root(".", ".") inside rootfs, then the old root (stacked beneath the
// new one) is made rslave and lazily unmounted, so nothing of the host stays
// reachable and the unmount does not propagate to the host. cwd becomes "/".
Status PivotRoot(const std::string& rootfs);

// For --no-pivot (e.g. a ramfs root): MS_MOVE the rootfs onto "/" and
// chroot into it. The host's root stays mounted underneath.
Status MoveRoot(const std::string& rootfs);

// Without a mount namespace: chdir into rootfs and chroot("."); no mount or
// propagation change, so the runtime's mount table is untouched.
Status ChrootInto(const std::string& rootfs);

}  // namespace berth::rootfs
