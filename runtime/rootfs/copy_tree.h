// Copying a directory's contents fd to fd, for the "tmpcopyup" mount option
// (a tmpfs over an image directory starts with the directory's files).
#pragma once

#include "runtime/base/error.h"

namespace berth::rootfs {

// Copies everything under src_dir (files, directories, symlinks, device
// nodes, fifos) into dst_dir, keeping owner, mode and timestamps. Never
// follows a symlink; both arguments are directory fds (O_PATH is fine).
Status CopyTree(int src_dir, int dst_dir);

}  // namespace berth::rootfs
