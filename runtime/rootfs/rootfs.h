// The container's root filesystem: mounts, /dev, pivot_root, masked and
// read-only paths. Child side, in the container's mount namespace (or, when it
// has none, the runtime's, where nothing is mounted).
#pragma once

#include <functional>
#include <map>
#include <string>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::rootfs {

struct RootfsOptions {
  std::string rootfs;  // absolute host path of root.path
  std::string bundle;  // absolute bundle directory (relative bind sources)
  bool no_pivot = false;
  // config.mounts[i] -> fd of a detached, idmapped copy of its source made by
  // the parent (PrepareIdmappedMounts); the child attaches it as it is.
  std::map<size_t, int> idmapped_trees;
  // Called before the first step that depends on the process's cgroup: a
  // mount of type "cgroup" (it shows the cgroup /proc/self/cgroup names)
  // and the device nodes (v1 devices controller decides mknod). The parent
  // attaches the init meanwhile (sync.h); empty: already in its cgroup.
  std::function<Status()> await_cgroup;
};

// PARENT side, before clone: with a user namespace, idmapped bind mounts
// must be made here, because setting MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN
// over the source filesystem, which a process in the container's user
// namespace never has. A mount without its own uidMappings/gidMappings gets
// the container's (config.md: MAY). Without a user namespace: none (the
// child does it). Returned fds are O_CLOEXEC; the caller closes them.
Result<std::map<size_t, int>> PrepareIdmappedMounts(const spec::Config& config, const std::string& bundle);

// Both sides: without a mount namespace (linux.namespaces has no "mount",
// so it is inherited: config-linux.md), the container enters its root with
// chroot and nothing may be mounted, since every mount would land in the
// runtime's mount table. Refuses what needs one: mounts, maskedPaths,
// readonlyPaths, root.readonly, rootfsPropagation. Ok with a mount namespace.
Status CheckWithoutMountNamespace(const spec::Config& config);

// Runs before createContainer hooks: sets root propagation (rootfsPropagation,
// default rslave), binds the rootfs onto itself, performs every config mount
// in order (targets resolved beneath the rootfs by fd), cgroup mounts, and
// /dev (devices, default devices, /dev/ptmx and the standard symlinks).
// Without a mount namespace: only the device nodes and symlinks.
Status PrepareRootfs(const spec::Config& config, const RootfsOptions& options);

// Runs after createContainer hooks: pivot_root (or MS_MOVE + chroot with
// no_pivot; plain chroot without a mount namespace), then maskedPaths, readonlyPaths, root.readonly and the
// final propagation. Afterwards the cwd is "/" of the container.
Status EnterRootfs(const spec::Config& config, const RootfsOptions& options);

}  // namespace berth::rootfs
