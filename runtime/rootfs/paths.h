// linux.maskedPaths and linux.readonlyPaths, applied inside the container
// after pivot_root.
#pragma once

#include <string>

#include "runtime/base/error.h"

namespace berth::rootfs {

// Hides path: a file gets the container's /dev/null bound over it (opened
// O_PATH|O_NOFOLLOW and checked to be the char device 1:3, CVE-2025-31133),
// a directory an empty read-only tmpfs. A missing path is not an error.
Status MaskPath(int root_fd, const std::string& path);

// Binds path onto itself read-only (recursively); nosuid/nodev/noexec it
// already has are kept. A missing path is not an error.
Status MakeReadonly(int root_fd, const std::string& path);

}  // namespace berth::rootfs
