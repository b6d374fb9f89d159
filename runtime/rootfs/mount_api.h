// Thin wrappers over the new mount API (fsopen/fsmount, open_tree,
// mount_setattr, move_mount): every mount is built detached and attached to
// a target given by fd, so no path string is resolved at mount time.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"
#include "runtime/base/unique_fd.h"
#include "runtime/rootfs/mount_options.h"

namespace berth::rootfs {

using base::UniqueFd;

// A new, detached filesystem instance: fsopen(type) + fsconfig(source,
// sb_flags, data) + fsmount with the mount attributes in `attrs`.
Result<UniqueFd> NewFilesystem(std::string_view type, std::string_view source,
                               const std::vector<std::string>& sb_flags, const std::vector<std::string>& data,
                               uint64_t attrs);

// Superblock reconfiguration (remount) of the filesystem under mount_fd,
// by fd (fspick), with the same option handling as NewFilesystem.
Status ReconfigureFilesystem(int mount_fd, const std::vector<std::string>& sb_flags,
                             const std::vector<std::string>& data);

// A detached copy of the mount (tree, when recursive) at from_fd/path.
Result<UniqueFd> CloneTree(int from_fd, const std::string& path, bool recursive);

// mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0)).
Status SetMountAttrs(int mount_fd, uint64_t set, uint64_t clr, bool recursive);
Status SetPropagation(int mount_fd, uint64_t type, bool recursive);
// Sets an idmapping (MOUNT_ATTR_IDMAP) on a detached mount.
Status SetIdmap(int mount_fd, int userns_fd, bool recursive);

// Attaches the detached (or attached) mount mount_fd on top of target_fd.
Status MoveMount(int mount_fd, int target_fd);

// Applies attributes, recursive attributes of `options` to a mount fd.
Status ApplyMountAttrs(int mount_fd, const MountOptions& options);

// f_type of the filesystem an fd is on.
Result<int64_t> FsMagic(int fd);

}  // namespace berth::rootfs
