// The container's root filesystem: mounts, /dev, pivot_root, masked and
// read-only paths. Child side, inside the container's new mount namespace.
#pragma once

#include <map>
#include <string>

#include "spec/config.h"
#include "spec/error.h"

namespace berth::rootfs {

struct RootfsOptions {
  std::string rootfs;  // absolute host path of root.path
  std::string bundle;  // absolute bundle directory (relative bind sources)
  bool no_pivot = false;
  // config.mounts[i] -> fd of a detached, idmapped copy of its source made by
  // the parent (PrepareIdmappedMounts); the child attaches it as it is.
  std::map<size_t, int> idmapped_trees;
};

// PARENT side, before clone: with a user namespace, idmapped bind mounts
// must be made here, because setting MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN
// over the source filesystem, which a process in the container's user
// namespace never has. A mount without its own uidMappings/gidMappings gets
// the container's (config.md: MAY). Without a user namespace: none (the
// child does it). Returned fds are O_CLOEXEC; the caller closes them.
Result<std::map<size_t, int>> PrepareIdmappedMounts(const spec::Config& config, const std::string& bundle);

// Runs before createContainer hooks: sets root propagation (rootfsPropagation,
// default rslave), binds the rootfs onto itself, performs every config mount
// in order (targets resolved beneath the rootfs by fd), cgroup mounts, and
// /dev (devices, default devices, pts, shm, standard symlinks).
Status PrepareRootfs(const spec::Config& config, const RootfsOptions& options);

// Runs after createContainer hooks: pivot_root (or MS_MOVE + chroot with
// no_pivot), then maskedPaths, readonlyPaths, root.readonly and the final
// propagation. Afterwards the cwd is "/" of the container.
Status EnterRootfs(const spec::Config& config, const RootfsOptions& options);

}  // namespace berth::rootfs
